import { decode, encode } from '@msgpack/msgpack';
import { ErrorCode, type NatsConnection, type NatsError, type Subscription } from 'nats';
import { contractFor, CONTRACTS, WitError, type Contract } from '../contracts/index.ts';
import type { Link } from '../links.ts';
import { reportedHealth, type DisplaySnapshot, type Provider, type ProviderHealth } from '../provider.ts';
import { LatticeError } from './errors.ts';
import type { CallOutcome } from '../router.ts';
import { rpcSubject, serviceSubject } from './subjects.ts';

/** One routed import call as it crosses the lattice: WIT values, msgpack-encoded. */
interface RpcRequest {
  readonly operation: string;
  readonly args: unknown[];
  readonly link: Link;
  /** When the caller stops waiting (epoch ms): the provider need not start work past it. */
  readonly deadline: number;
}

/** The WIT ok value, the WIT err value, or a failure the contract turns into its own error. */
type RpcReply = { readonly ok: unknown } | { readonly err: unknown } | { readonly failed: string };

// WIT's u64 and s64 are bigints in jco; msgpack's 64-bit integers carry them both ways.
const encodeWit = (value: unknown) => encode(value, { useBigInt64: true, ignoreUndefined: false });

/** msgpack has no `undefined`; jco uses it for every absent option, so nil comes back as undefined. */
function decodeWit(bytes: Uint8Array): unknown {
  const restore = (value: unknown): unknown => {
    if (value === null) return undefined;
    if (Array.isArray(value)) return value.map(restore);
    if (value instanceof Uint8Array || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, restore(inner)]));
  };
  return restore(decode(bytes, { useBigInt64: true }));
}

/**
 * Serves a provider's contracts to the lattice: one subscription per interface on its RPC subject,
 * in a queue group named after it, so several instances of one provider share the calls. A link
 * the provider has not heard of yet is announced to it (link put) before its first call. It
 * answers health checks too, so that hosts can tell whether the links to it work.
 */
export function serveProviderRpc(connection: NatsConnection, lattice: string, provider: Provider): { stop(): void } {
  const announced = new Map<string, Promise<void>>();
  const subscriptions: Subscription[] = [
    connection.subscribe(serviceSubject(lattice, provider.id, 'health'), {
      queue: provider.id,
      callback: (error, message) => {
        if (error) return;
        void reportedHealth(provider).then((health) => message.respond(JSON.stringify(health)));
      },
    }),
  ];
  if (provider.snapshot) {
    const snapshot = provider.snapshot.bind(provider);
    subscriptions.push(
      connection.subscribe(serviceSubject(lattice, provider.id, 'snapshot'), {
        queue: provider.id,
        callback: (error, message) => {
          if (error) return;
          let panel: string | undefined;
          try {
            panel = message.data.length > 0 ? (JSON.parse(message.string()) as { panel?: string }).panel : undefined;
          } catch {
            // Some other program's message: answered, never thrown into the provider's process.
            return message.respond(JSON.stringify({ failed: 'a snapshot request is empty or {"panel": "NAME"}' }));
          }
          const shown = snapshot(panel);
          message.respond(JSON.stringify(shown ? { ok: shown } : { failed: panel ? `${provider.id} has no panel ${panel}` : `${provider.id} has no open panel yet: link an actor to it` }));
        },
      }),
    );
  }
  for (const [name, contract] of Object.entries(CONTRACTS) as [keyof typeof CONTRACTS, Contract<unknown>][]) {
    const handler = provider[name];
    if (!handler) continue;
    for (const iface of contract.interfaces) {
      subscriptions.push(
        connection.subscribe(rpcSubject(lattice, provider.id, iface), {
          queue: provider.id,
          callback: (error, message) => {
            if (error) return;
            void (async (): Promise<RpcReply> => {
              const request = decodeWit(message.data) as RpcRequest;
              if (Date.now() > request.deadline) return { failed: 'the call arrived after its deadline' };
              const key = `${request.link.source}\u0000${request.link.interface}\u0000${request.link.name}`;
              let announcing = announced.get(key);
              if (!announcing) {
                announcing = Promise.resolve(provider.linkPut?.(request.link));
                announced.set(key, announcing);
                announcing.catch(() => announced.delete(key));
              }
              try {
                await announcing;
                return { ok: await contract.dispatch(handler, iface, request.operation, request.args, request.link) };
              } catch (failure) {
                return failure instanceof WitError ? { err: failure.value } : { failed: (failure as Error)?.message ?? String(failure) };
              }
            })()
              .catch((failure: unknown): RpcReply => ({ failed: `the call could not be read: ${(failure as Error).message}` }))
              .then((reply) => message.respond(encodeWit(reply)));
          },
        }),
      );
    }
  }
  return stoppable(subscriptions);
}

/**
 * Runs one routed import on a provider elsewhere on the lattice. Whatever goes wrong (no such
 * provider, the lattice down, the deadline) comes back as the interface's own error value.
 */
export async function callRemoteProvider(
  connection: NatsConnection,
  lattice: string,
  link: Link,
  operation: string,
  args: unknown[],
  timeoutMs: number,
): Promise<CallOutcome | undefined> {
  const carrier = contractFor(link.interface);
  if (!carrier) return undefined;
  const { contract } = carrier;
  const request: RpcRequest = { operation, args, link, deadline: Date.now() + timeoutMs };
  try {
    const message = await connection.request(rpcSubject(lattice, link.target, link.interface), encodeWit(request), { timeout: timeoutMs });
    const reply = decodeWit(message.data) as RpcReply;
    if ('failed' in reply) return { err: contract.failed(`${link.target}: ${reply.failed}`) };
    return reply;
  } catch (error) {
    return { err: contract.failed(whyUnanswered(error, 'provider', link.target, lattice, timeoutMs)) };
  }
}

/** Why a request got no answer: nobody serves the subject, the answer was late, or the lattice is down. */
export type Unanswered = 'not-running' | 'timeout' | 'unreachable';

function unanswered(error: unknown): Unanswered {
  const code = (error as NatsError).code;
  return code === ErrorCode.NoResponders ? 'not-running' : code === ErrorCode.Timeout ? 'timeout' : 'unreachable';
}

/** What serving hands back: how to stop every subscription it made. */
function stoppable(subscriptions: readonly Subscription[]): { stop(): void } {
  return {
    stop: () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}

/** Pure: a failed NATS request, said in the lattice's terms. */
function whyUnanswered(error: unknown, kind: 'provider' | 'actor', target: string, lattice: string, timeoutMs: number): string {
  switch (unanswered(error)) {
    case 'not-running':
      return `no ${kind} ${target} is running on lattice ${lattice}`;
    case 'timeout':
      return `${target} did not answer within ${timeoutMs} ms`;
    case 'unreachable':
      return `the lattice is unreachable: ${(error as Error).message}`;
  }
}

/** Asks a link target elsewhere on the lattice how it is; one that does not answer is unhealthy, with why. */
export async function probeTarget(connection: NatsConnection, lattice: string, kind: 'provider' | 'actor', targetId: string, timeoutMs: number): Promise<ProviderHealth> {
  try {
    const message = await connection.request(serviceSubject(lattice, targetId, 'health'), new Uint8Array(), { timeout: timeoutMs });
    return JSON.parse(message.string()) as ProviderHealth;
  } catch (error) {
    return { healthy: false, message: whyUnanswered(error, kind, targetId, lattice, timeoutMs) };
  }
}

/** What a display provider elsewhere on the lattice shows (`badger oled snapshot --nats`). */
export async function remoteDisplaySnapshot(connection: NatsConnection, lattice: string, providerId: string, panel: string | undefined, timeoutMs: number): Promise<DisplaySnapshot> {
  let reply: { ok: DisplaySnapshot } | { failed: string };
  try {
    const message = await connection.request(serviceSubject(lattice, providerId, 'snapshot'), JSON.stringify(panel ? { panel } : {}), { timeout: timeoutMs });
    reply = JSON.parse(message.string()) as typeof reply;
  } catch (error) {
    throw new LatticeError(whyUnanswered(error, 'provider', providerId, lattice, timeoutMs), unanswered(error) === 'not-running' ? 'LATTICE_NOT_FOUND' : 'LATTICE_UNAVAILABLE');
  }
  if ('failed' in reply) throw new LatticeError(reply.failed, 'LATTICE_NOT_FOUND');
  return reply.ok;
}

/** A call to an actor's export from another host: a function of a custom interface, or an HTTP request. */
export type ActorRpcRequest =
  | { readonly kind: 'call'; readonly iface: string; readonly fn: string; readonly args: unknown[] }
  | { readonly kind: 'http'; readonly request: RemoteHttpRequest };

/** An HTTP request with its whole body, as it crosses the lattice. */
export interface RemoteHttpRequest {
  readonly method: string;
  readonly pathWithQuery: string;
  readonly authority: string;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
}

export interface RemoteHttpResponse {
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
}

/** `code` is the host's invocation error code (ACTOR_DEADLINE…), when the actor was reached. */
type ActorRpcReply = { readonly value: unknown } | { readonly failed: string; readonly code?: string };

/**
 * Serves an actor's exports to the lattice, so that links on other hosts can target it: one
 * subscription per exported interface, in a queue group named after the actor.
 */
export function serveActorRpc(
  connection: NatsConnection,
  lattice: string,
  actorId: string,
  exports: readonly string[],
  invoke: (request: ActorRpcRequest) => Promise<unknown>,
): { stop(): void } {
  const healthy = JSON.stringify({ healthy: true } satisfies ProviderHealth);
  const health = connection.subscribe(serviceSubject(lattice, actorId, 'health'), { queue: actorId, callback: (error, message) => error || message.respond(healthy) });
  const subscriptions = exports.map((iface) =>
    connection.subscribe(rpcSubject(lattice, actorId, iface), {
      queue: actorId,
      callback: (error, message) => {
        if (error) return;
        void Promise.resolve()
          .then(() => decodeWit(message.data) as ActorRpcRequest & { deadline: number })
          .then(async (request): Promise<ActorRpcReply> => (Date.now() > request.deadline ? { failed: 'the call arrived after its deadline' } : { value: await invoke(request) }))
          .catch((failure: unknown): ActorRpcReply => {
            const code = (failure as { code?: unknown })?.code;
            return { failed: (failure as Error)?.message ?? String(failure), ...(typeof code === 'string' ? { code } : {}) };
          })
          .then((reply) => message.respond(encodeWit(reply)));
      },
    }),
  );
  subscriptions.push(health);
  return stoppable(subscriptions);
}

/** Runs an actor's export on whichever host of the lattice runs it; a failure is said, never thrown. */
export async function callRemoteActor(
  connection: NatsConnection,
  lattice: string,
  actorId: string,
  iface: string,
  request: ActorRpcRequest,
  timeoutMs: number,
): Promise<ActorRpcReply | { readonly failed: string; readonly unanswered: Unanswered }> {
  try {
    const message = await connection.request(rpcSubject(lattice, actorId, iface), encodeWit({ ...request, deadline: Date.now() + timeoutMs }), { timeout: timeoutMs });
    return decodeWit(message.data) as ActorRpcReply;
  } catch (error) {
    return { failed: whyUnanswered(error, 'actor', actorId, lattice, timeoutMs), unanswered: unanswered(error) };
  }
}
