import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { headerPairs, HOST_ANSWERS, type ListenSpec } from '../http-ingress/index.ts';
import { HTTP_INCOMING_HANDLER } from '../wasi/index.ts';
import type { HttpServing, ProviderHost } from '../provider.ts';
import type { CallOutcome } from '../router.ts';
import type { LatticeBus } from './lattice-bus.ts';
import type { RemoteHttpResponse } from '../remote-targets.ts';
import { callRemoteActor } from './rpc.ts';

/** How long a forwarded request or call may take, the actor's own deadline included. */
export const FORWARD_TIMEOUT_MS = 30_000;

/** Pure: the status a forwarded request gets when it could not be answered by the actor. */
export function forwardFailureStatus(failure: { readonly code?: string; readonly unanswered?: string }): number {
  if (failure.unanswered === 'timeout') return 504;
  if (failure.unanswered === 'not-running') return 503;
  if (failure.code) return HOST_ANSWERS[failure.code] ?? 500;
  return 502;
}

/**
 * What a provider that drives actors' exports runs on where its actors do not (`badger provider
 * run http-server`, `… messaging`): it reaches each actor on whichever host of the lattice runs it.
 * An HTTP server listens in this process and forwards each request, whole body and all (streaming
 * stays with the hosts' own listeners); a call goes as the lattice's actor RPC.
 */
export function latticeProviderHost(bus: LatticeBus, logger: Logger, onFailure: (actorId: string, reason: string) => void = () => {}): ProviderHost {
  return {
    logger,
    reaches: () => true,
    async callExport(actorId, iface, fn, args) {
      const reply = await callRemoteActor(bus, actorId, iface, { kind: 'call', iface, fn, args: [...args] }, FORWARD_TIMEOUT_MS);
      return 'failed' in reply ? { err: undefined, reason: reply.failed } : (reply.value as CallOutcome);
    },
    async serveHttp(actorId: string, spec: ListenSpec): Promise<HttpServing> {
      const server = createServer(
        { maxHeaderSize: spec.maxHeaderBytes, headersTimeout: spec.headersTimeoutMs, requestTimeout: spec.requestTimeoutMs, keepAliveTimeout: spec.keepAliveTimeoutMs },
        (request, response) => void forward(request, response).catch((error: unknown) => fail(response, 500, (error as Error).message)),
      );
      const fail = (response: ServerResponse, status: number, reason: string) => {
        onFailure(actorId, reason);
        if (response.headersSent) return void response.destroy();
        response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(status === 413 ? { connection: 'close' } : {}) });
        response.end(`${status}\n`);
      };
      const forward = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
        const body = await readWhole(request, spec.maxBodyBytes);
        if (!body) return fail(response, 413, `a request body over ${spec.maxBodyBytes} bytes`);
        const reply = await callRemoteActor(
          bus,
          actorId,
          HTTP_INCOMING_HANDLER,
          {
            kind: 'http',
            request: {
              method: request.method ?? 'GET',
              pathWithQuery: request.url ?? '/',
              authority: request.headers.host ?? `${spec.host}:${spec.port}`,
              headers: headerPairs(request.rawHeaders),
              body,
            },
          },
          FORWARD_TIMEOUT_MS,
        );
        if ('failed' in reply) return fail(response, forwardFailureStatus(reply), reply.failed);
        const answer = reply.value as RemoteHttpResponse;
        response.writeHead(answer.status, answer.headers.flat());
        response.end(answer.body);
      };
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(spec.port, spec.host, () => resolve());
      });
      return {
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      };
    },
  };
}

/** The whole body, or undefined once it grows over `limit` (the rest is not read). */
async function readWhole(request: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  if (Number(request.headers['content-length'] ?? 0) > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
