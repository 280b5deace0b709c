import { remoteError } from '../errors.ts';
import { defaultSocketPath, requestLocalHost } from './local-socket.ts';
import type { Host } from '../host.ts';
import { handleControlRequest, type ControlOp, type ControlReplies, type ControlRequestOf, type ControlResponse, type HostIdentity } from './operations.ts';

/**
 * One way to reach a host's control interface, whatever the transport: the local socket, or the
 * lattice (host/lattice's `latticeControlClient`). Every operation resolves to its typed reply, or
 * throws the host's coded error as a RemoteError.
 */
export interface ControlClient {
  request<Op extends ControlOp>(request: ControlRequestOf<Op>): Promise<ControlReplies[Op]>;
}

/** The data of an answer, typed by its operation, or the coded error it carries. */
export function replyOf<Op extends ControlOp>(response: ControlResponse): ControlReplies[Op] {
  if (!response.ok) throw remoteError(response);
  // The host built it from the same table of replies (operations.ts).
  return response.data as ControlReplies[Op];
}

/** The host on this machine, through its control socket. */
export function localControlClient(socketPath = defaultSocketPath()): ControlClient {
  return {
    request: async (request) => replyOf(await requestLocalHost(socketPath, request)),
  };
}

/** A host in this process, through the same operations (and the same checks) as its socket. */
export function inProcessControlClient(host: Host, identity: HostIdentity): ControlClient {
  return {
    request: async (request) => replyOf(await handleControlRequest(host, identity, request)),
  };
}
