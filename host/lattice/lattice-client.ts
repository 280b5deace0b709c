import { connect, credsAuthenticator, ErrorCode, nkeyAuthenticator, type ConnectionOptions, type NatsConnection, type NatsError } from 'nats';
import { replyOf, type ControlClient, type ControlRequest, type ControlResponse } from '../control/index.ts';
import { LatticeError } from '../errors.ts';
import { followConnectionState } from './connection-state.ts';
import { natsServers, RECONNECT_FOR_EVER } from './servers.ts';
import { CONTROL_WIRE_VERSION, controlReplyFrom, type ControlEnvelope, type HostSummary, type LatticeRequest, type ProviderSummary } from './control-wire.ts';
import type { LatticeBus } from './lattice-bus.ts';
import { controlSubject } from './subjects.ts';

/** How a host or provider proves itself to a NATS server that asks: a creds file, or an nkey seed. */
export type LatticeCredentials = { readonly creds: Uint8Array } | { readonly nkeySeed: string };

/** The connection options for those credentials. */
export function authenticatorFor(credentials: LatticeCredentials | undefined): Partial<ConnectionOptions> {
  if (!credentials) return {};
  if ('creds' in credentials) return { authenticator: credsAuthenticator(credentials.creds) };
  return { authenticator: nkeyAuthenticator(new TextEncoder().encode(credentials.nkeySeed.trim())) };
}

/**
 * Connects to a lattice's NATS servers (any of them), reconnecting for ever after a loss to any of
 * them or to a server the cluster told of (subscriptions resume by themselves), and keeps track of
 * whether the link is up, so that calls made during an outage fail fast with LATTICE_UNAVAILABLE
 * instead of waiting out their timeout.
 */
export async function connectLattice(servers: string | string[], options: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  const connection = await connect({ servers: natsServers(servers), ...RECONNECT_FOR_EVER, timeout: 3000, ...options }).catch((error: Error) => {
    throw new LatticeError('LATTICE_UNAVAILABLE', `cannot reach ${String(servers)}: ${error.message}`);
  });
  followConnectionState(connection);
  return connection;
}

/**
 * Sends one control operation to one host (by its `N…` id) or to whichever host answers first,
 * and returns its answer. Fails fast with LATTICE_UNAVAILABLE when no host listens or the lattice
 * is down, rather than waiting out the timeout.
 */
export async function requestLattice(bus: LatticeBus, request: ControlRequest, options: { hostId?: string; timeoutMs?: number } = {}): Promise<ControlResponse> {
  const { lattice } = bus;
  const timeoutMs = options.timeoutMs ?? 5000;
  try {
    const message = await bus.request(controlSubject(lattice, request.op, options.hostId), JSON.stringify(envelope(request)), { target: options.hostId ?? '*', timeoutMs });
    const reply = controlReplyFrom(message.string());
    if (!reply) throw new LatticeError('LATTICE_UNAVAILABLE', `the answer on lattice ${lattice} is not a control reply`);
    return reply.response;
  } catch (error) {
    const code = (error as NatsError).code;
    if (code === ErrorCode.NoResponders) throw new LatticeError('LATTICE_UNAVAILABLE', options.hostId ? `no host ${options.hostId} on lattice ${lattice}` : `no host answers on lattice ${lattice}`);
    if (code === ErrorCode.Timeout) throw new LatticeError('LATTICE_UNAVAILABLE', `no answer from lattice ${lattice} within ${timeoutMs} ms`);
    if (code === ErrorCode.Disconnect || code === ErrorCode.ConnectionClosed) throw new LatticeError('LATTICE_UNAVAILABLE', `the lattice ${lattice} is unreachable: ${(error as Error).message}`);
    throw error;
  }
}

/** The control interface of one host on the lattice (`hostId`), or of whichever host answers first. */
export function latticeControlClient(bus: LatticeBus, options: { hostId?: string; timeoutMs?: number } = {}): ControlClient {
  return {
    request: async (request) => replyOf(await requestLattice(bus, request, options)),
  };
}

/** Every host of the lattice that answers a ping within `waitMs`. */
export async function discoverHosts(bus: LatticeBus, waitMs = 1000): Promise<HostSummary[]> {
  return (await collectAnswers<HostSummary>(bus, { op: 'ping' }, waitMs)).sort((a, b) => a.id.localeCompare(b.id));
}

/** The hosts whose labels hold every constraint, as they answer an auction within `waitMs`. */
export async function auction(bus: LatticeBus, constraints: Readonly<Record<string, string>>, waitMs = 1000): Promise<HostSummary[]> {
  return (await collectAnswers<HostSummary>(bus, { op: 'auction', constraints }, waitMs)).sort((a, b) => a.id.localeCompare(b.id));
}

/** Every provider of the lattice, in hosts and standalone, as they answer within `waitMs`. */
export async function discoverProviders(bus: LatticeBus, waitMs = 1000): Promise<ProviderSummary[]> {
  const answers = await collectAnswers<ProviderSummary[]>(bus, { op: 'ping-providers' }, waitMs);
  return answers.flat().sort((a, b) => a.id.localeCompare(b.id) || a.runBy.localeCompare(b.runBy));
}

/** Pure: of the hosts that may take an actor, the least loaded (fewest actors), then by id. */
export function pickHost(candidates: readonly HostSummary[]): HostSummary | undefined {
  return [...candidates].sort((a, b) => a.actors.length - b.actors.length || a.id.localeCompare(b.id))[0];
}

function envelope(request: LatticeRequest): ControlEnvelope {
  return { version: CONTROL_WIRE_VERSION, request };
}

/** The data of every successful answer to a request sent to the whole lattice, within `waitMs`. */
async function collectAnswers<Data>(bus: LatticeBus, request: LatticeRequest, waitMs: number): Promise<Data[]> {
  const answers: Data[] = [];
  try {
    for await (const reply of bus.requestMany(controlSubject(bus.lattice, request.op), JSON.stringify(envelope(request)), { target: '*', maxWait: waitMs })) {
      // A malformed answer is some other program's: not a host.
      const envelope = controlReplyFrom(reply.string());
      if (envelope?.response.ok) answers.push(envelope.response.data as Data);
    }
  } catch (error) {
    // Nobody listening is an empty lattice, not a failure.
    if ((error as NatsError).code !== ErrorCode.NoResponders) throw error;
  }
  return answers;
}
