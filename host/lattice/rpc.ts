import { decode, encode } from '@msgpack/msgpack';
import { ErrorCode, type NatsConnection, type NatsError, type Subscription } from 'nats';
import { contractFor, CONTRACTS, WitError, type Contract } from '../contracts/index.ts';
import type { Link } from '../links.ts';
import type { Provider } from '../provider.ts';
import type { CallOutcome } from '../router.ts';
import { rpcSubject } from './subjects.ts';

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
 * the provider has not heard of yet is announced to it (link put) before its first call.
 */
export function serveProviderRpc(connection: NatsConnection, lattice: string, provider: Provider): { stop(): void } {
  const announced = new Map<string, Promise<void>>();
  const subscriptions: Subscription[] = [];
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
  return {
    stop: () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
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
    const code = (error as NatsError).code;
    const why =
      code === ErrorCode.NoResponders
        ? `no provider ${link.target} is running on lattice ${lattice}`
        : code === ErrorCode.Timeout
          ? `${link.target} did not answer within ${timeoutMs} ms`
          : `the lattice is unreachable: ${(error as Error).message}`;
    return { err: contract.failed(why) };
  }
}
