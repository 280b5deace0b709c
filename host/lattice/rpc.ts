import { Decoder, Encoder } from '@msgpack/msgpack';
import { ErrorCode, type NatsError, type Subscription } from 'nats';
import type { Link } from '../links.ts';
import { isServiceName, reportedHealth, type Provider, type ProviderHealth } from '../provider.ts';
import { LatticeError } from '../errors.ts';
import { runContract, type CallOutcome, type RemoteCallOutcome } from '../router.ts';
import type { ActorRpcRequest, HeldLinks, RemoteHttpRequest, RemoteTargets } from '../remote-targets.ts';
import type { Inbound, LatticeBus } from './lattice-bus.ts';
import { rpcSubject, serviceSubject } from './subjects.ts';

/** Which link a call is made for: the provider uses the link it holds, never config from the wire. */
type LinkName = Pick<Link, 'source' | 'interface' | 'name'>;

/** One routed import call as it crosses the lattice: WIT values, msgpack-encoded. */
interface RpcRequest {
  readonly operation: string;
  readonly args: unknown[];
  readonly link: LinkName;
  /**
   * How long the caller still waits (ms), from when the call arrives: a budget, never a
   * wall-clock instant, so that hosts whose clocks disagree (a Pi with no real-time clock) agree.
   */
  readonly budgetMs: number;
}

/** The WIT ok value, the WIT err value, or a failure the contract turns into its own error. */
type RpcReply = { readonly ok: unknown } | { readonly err: unknown } | { readonly failed: string; readonly code?: string };

// WIT's u64 and s64 are bigints in jco; msgpack's 64-bit integers carry them both ways. One encoder
// and one decoder serve every call: msgpack's encode() and decode() make both anew each time, and
// an encoder starts with a 2 KiB buffer.
const witEncoder = new Encoder({ useBigInt64: true, ignoreUndefined: false });
const witDecoder = new Decoder({ useBigInt64: true });
const encodeWit = (value: unknown) => witEncoder.encode(value);

/** msgpack has no `undefined`; jco uses it for every absent option, so nil comes back as undefined. */
function decodeWit(bytes: Uint8Array): unknown {
  return restoreUndefined(witDecoder.decode(bytes));
}

// In place: what the decoder made is nobody else's, and a copy of each map cost the hot path.
function restoreUndefined(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = restoreUndefined(value[index]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = restoreUndefined(record[key]);
  return record;
}

/** A call whose link is not known here yet may have crossed its link event: it is looked for again for this long. */
const LINK_GRACE_MS = 250;

/** Pure: the RPC request in a message, or why it is not one. */
function rpcRequestFrom(value: unknown): RpcRequest | string {
  const request = value as Partial<RpcRequest> | undefined;
  if (typeof request !== 'object' || request === null) return 'an RPC request is a msgpack map';
  if (typeof request.operation !== 'string' || !Array.isArray(request.args)) return 'an RPC request names an operation and its args';
  const link = request.link as Partial<LinkName> | undefined;
  if (typeof link?.source !== 'string' || typeof link.interface !== 'string' || typeof link.name !== 'string') return 'an RPC request names its link: source, interface and name';
  if (typeof request.budgetMs !== 'number' || !(request.budgetMs > 0) || request.budgetMs > 3_600_000) return 'an RPC request carries a budget of 1 ms to 1 h';
  return request as RpcRequest;
}

/**
 * Serves a provider's contracts to the lattice: one subscription per interface on its RPC subject,
 * in a queue group named after it, so several instances of one provider share the calls. Each
 * call is served for a link the provider already holds (`linkOf`: from the control interface or
 * signed link events), with that link's config; a call for any other link is refused with the
 * interface's own error. It answers health checks too, so that hosts can tell whether links work.
 */
export function serveProviderRpc(bus: LatticeBus, provider: Provider, linkOf: HeldLinks): { stop(): void } {
  const lattice = bus.lattice;
  const target = () => provider.id;
  const refusedAs = (reason: string) => JSON.stringify({ healthy: false, message: `refused: ${reason}` });
  const subscriptions: Subscription[] = [
    bus.subscribe(serviceSubject(lattice, provider.id, 'health'), { queue: provider.id, target, refusal: refusedAs }, async (message) => {
      message.respond(JSON.stringify(await reportedHealth(provider)));
    }),
  ];
  for (const [name, service] of Object.entries(provider.services ?? {})) {
    // The host refuses such a provider at its start; a standalone one's odd name is not served.
    if (!isServiceName(name)) continue;
    subscriptions.push(
      bus.subscribe(serviceSubject(lattice, provider.id, name), { queue: provider.id, target, refusal: (reason) => JSON.stringify({ failed: `refused: ${reason}` }) }, async (message) => {
        let request: unknown;
        try {
          request = message.data.length > 0 ? JSON.parse(message.string()) : undefined;
        } catch {
          // Some other program's message: answered, never thrown into the provider's process.
          return message.respond(JSON.stringify({ failed: `a ${name} request is JSON, or empty` }));
        }
        try {
          const answer = await service(request);
          message.respond(JSON.stringify(answer === undefined ? { failed: `${provider.id} has no answer to this ${name} request` } : { ok: answer }));
        } catch (failure) {
          message.respond(JSON.stringify({ failed: (failure as Error)?.message ?? String(failure) }));
        }
      }),
    );
  }
  const refusal = (reason: string) => encodeWit({ failed: `refused: ${reason}`, code: 'LATTICE_UNTRUSTED' } satisfies RpcReply);
  for (const { contract, handler } of provider.serves ?? []) {
    for (const iface of contract.interfaces) {
      const serve = async (message: Inbound): Promise<RpcReply> => {
        const request = rpcRequestFrom(decodeWit(message.data));
        if (typeof request === 'string') return { failed: request, code: 'CONTROL_MALFORMED' };
        if (request.link.interface !== iface) return { failed: `the call names ${request.link.interface} but was sent for ${iface}` };
        const link = await heldLink(linkOf, request.link, provider.id);
        if (!link) return { err: contract.notLinked(`${provider.id} holds no link ${request.link.name} for ${iface} from ${request.link.source}`) };
        if (bus.now() - message.receivedAt > request.budgetMs) return { failed: 'the call waited here past its budget' };
        return runContract(contract, handler, iface, request.operation, request.args, link);
      };
      subscriptions.push(
        bus.subscribe(rpcSubject(lattice, provider.id, iface), { queue: provider.id, target, refusal, membersOnly: true }, (message) =>
          serve(message)
            .catch((failure: unknown): RpcReply => ({ failed: `the call could not be read: ${(failure as Error)?.message ?? String(failure)}` }))
            .then((reply) => message.respond(encodeWit(reply))),
        ),
      );
    }
  }
  return stoppable(subscriptions);
}

/** The link the provider holds for this call, waiting a moment for one whose link event is still on its way. */
async function heldLink(linkOf: HeldLinks, wanted: LinkName, providerId: string): Promise<Link | undefined> {
  for (let waited = 0; ; waited += 10) {
    const found = linkOf(wanted.source, wanted.interface, wanted.name);
    const link = found instanceof Promise ? await found : found;
    if (link?.target === providerId) return link;
    if (waited >= LINK_GRACE_MS) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Runs one routed import on a provider elsewhere on the lattice. Whatever goes wrong (no such
 * provider, the lattice down, the deadline, a refusal) is `failed`, with why, for the calling
 * host's contract to put in the interface's own error value.
 */
export async function callRemoteProvider(bus: LatticeBus, link: Link, operation: string, args: unknown[], timeoutMs: number): Promise<RemoteCallOutcome> {
  const request: RpcRequest = { operation, args, link: { source: link.source, interface: link.interface, name: link.name }, budgetMs: timeoutMs };
  try {
    const message = await bus.request(rpcSubject(bus.lattice, link.target, link.interface), encodeWit(request), { target: link.target, timeoutMs });
    const reply = decodeWit(message.data) as RpcReply;
    if ('failed' in reply) return { failed: `${link.target}: ${reply.failed}` };
    return reply;
  } catch (error) {
    return { failed: whyUnanswered(error, 'provider', link.target, bus.lattice, timeoutMs) };
  }
}

/** Why a request got no answer: nobody serves the subject, the answer was late, or the lattice is down. */
export type Unanswered = 'not-running' | 'timeout' | 'unreachable' | 'refused';

function unanswered(error: unknown): Unanswered {
  if (error instanceof LatticeError && error.code === 'LATTICE_UNTRUSTED') return 'refused';
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
      return error instanceof LatticeError ? error.message : `the lattice is unreachable: ${(error as Error).message}`;
    case 'refused':
      return (error as Error).message;
  }
}

/** Asks a link target elsewhere on the lattice how it is; one that does not answer is unhealthy, with why. */
export async function probeTarget(bus: LatticeBus, kind: 'provider' | 'actor', targetId: string, timeoutMs: number): Promise<ProviderHealth> {
  try {
    const message = await bus.request(serviceSubject(bus.lattice, targetId, 'health'), new Uint8Array(), { target: targetId, timeoutMs });
    const health = JSON.parse(message.string()) as ProviderHealth;
    return typeof health?.healthy === 'boolean' ? { healthy: health.healthy, ...(typeof health.message === 'string' ? { message: health.message } : {}) } : { healthy: false, message: `${targetId} answered its health check with something else` };
  } catch (error) {
    return { healthy: false, message: error instanceof SyntaxError ? `${targetId} answered its health check with something else` : whyUnanswered(error, kind, targetId, bus.lattice, timeoutMs) };
  }
}

/** A provider's named service elsewhere on the lattice (`badger oled snapshot --nats` asks a display's `snapshot`). */
export async function callRemoteService(bus: LatticeBus, providerId: string, service: string, request: unknown, timeoutMs: number): Promise<unknown> {
  let answer: string;
  try {
    answer = (await bus.request(serviceSubject(bus.lattice, providerId, service), JSON.stringify(request ?? {}), { target: providerId, timeoutMs })).string();
  } catch (error) {
    throw new LatticeError(unanswered(error) === 'not-running' ? 'LATTICE_NOT_FOUND' : 'LATTICE_UNAVAILABLE', whyUnanswered(error, 'provider', providerId, bus.lattice, timeoutMs));
  }
  let reply: { ok: unknown } | { failed: string } | undefined;
  try {
    reply = JSON.parse(answer) as typeof reply;
  } catch {
    reply = undefined;
  }
  if (typeof reply !== 'object' || reply === null || !('ok' in reply || typeof (reply as { failed?: unknown }).failed === 'string')) {
    throw new LatticeError('LATTICE_UNAVAILABLE', `${providerId} answered ${service} with something else`);
  }
  if ('failed' in reply) throw new LatticeError('LATTICE_NOT_FOUND', reply.failed);
  return reply.ok;
}

/** `code` is the host's invocation error code (ACTOR_DEADLINE…), when the actor was reached. */
type ActorRpcReply = { readonly value: unknown } | { readonly failed: string; readonly code?: string };

/** Pure: the actor call in a message, or why it is not one. */
function actorRequestFrom(value: unknown, iface: string): (ActorRpcRequest & { budgetMs: number }) | string {
  const request = value as Partial<{ kind: string; iface: string; fn: string; args: unknown; request: Partial<RemoteHttpRequest>; budgetMs: number }> | undefined;
  if (typeof request !== 'object' || request === null) return 'an actor call is a msgpack map';
  if (typeof request.budgetMs !== 'number' || !(request.budgetMs > 0) || request.budgetMs > 3_600_000) return 'an actor call carries a budget of 1 ms to 1 h';
  if (request.kind === 'call') {
    if (request.iface !== iface || typeof request.fn !== 'string' || !Array.isArray(request.args)) return `a call names ${iface}, a function and its args`;
    return request as ActorRpcRequest & { budgetMs: number };
  }
  const http = request.request;
  if (request.kind === 'http' && typeof http === 'object' && http !== null && typeof http.method === 'string' && typeof http.pathWithQuery === 'string' && typeof http.authority === 'string' && Array.isArray(http.headers) && http.body instanceof Uint8Array) {
    if (!http.headers.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string')) return 'an HTTP request\'s headers are [name, value] pairs of strings';
    return request as ActorRpcRequest & { budgetMs: number };
  }
  return 'an actor call is {kind: "call", …} or {kind: "http", request: {…}}';
}

/**
 * Serves an actor's exports to the lattice, so that links on other hosts can target it: one
 * subscription per exported interface, in a queue group named after the actor.
 */
export function serveActorRpc(bus: LatticeBus, actorId: string, exports: readonly string[], invoke: (request: ActorRpcRequest) => Promise<unknown>): { stop(): void } {
  const target = () => actorId;
  const healthy = JSON.stringify({ healthy: true } satisfies ProviderHealth);
  const health = bus.subscribe(serviceSubject(bus.lattice, actorId, 'health'), { queue: actorId, target, refusal: (reason) => JSON.stringify({ healthy: false, message: `refused: ${reason}` }) }, (message) => message.respond(healthy));
  const refusal = (reason: string) => encodeWit({ failed: `refused: ${reason}`, code: 'LATTICE_UNTRUSTED' } satisfies ActorRpcReply);
  const subscriptions = exports.map((iface) =>
    bus.subscribe(rpcSubject(bus.lattice, actorId, iface), { queue: actorId, target, refusal, membersOnly: true }, (message) =>
      Promise.resolve()
        .then(async (): Promise<ActorRpcReply> => {
          const request = actorRequestFrom(decodeWit(message.data), iface);
          if (typeof request === 'string') return { failed: request, code: 'CONTROL_MALFORMED' };
          if (bus.now() - message.receivedAt > request.budgetMs) return { failed: 'the call waited here past its budget' };
          return { value: await invoke(request) };
        })
        .catch((failure: unknown): ActorRpcReply => {
          const code = (failure as { code?: unknown })?.code;
          return { failed: (failure as Error)?.message ?? String(failure), ...(typeof code === 'string' ? { code } : {}) };
        })
        .then((reply) => message.respond(encodeWit(reply))),
    ),
  );
  subscriptions.push(health);
  return stoppable(subscriptions);
}

/** Runs an actor's export on whichever host of the lattice runs it; a failure is said, never thrown. */
export async function callRemoteActor(
  bus: LatticeBus,
  actorId: string,
  iface: string,
  request: ActorRpcRequest,
  timeoutMs: number,
): Promise<ActorRpcReply | { readonly failed: string; readonly unanswered: Unanswered }> {
  try {
    const message = await bus.request(rpcSubject(bus.lattice, actorId, iface), encodeWit({ ...request, budgetMs: timeoutMs }), { target: actorId, timeoutMs });
    return decodeWit(message.data) as ActorRpcReply;
  } catch (error) {
    return { failed: whyUnanswered(error, 'actor', actorId, bus.lattice, timeoutMs), unanswered: unanswered(error) };
  }
}

/** The host's remote targets over this lattice bus: the port the host core calls, implemented over NATS. */
export function natsRemoteTargets(bus: LatticeBus): RemoteTargets {
  return {
    callProvider: (link, operation, args, timeoutMs) => callRemoteProvider(bus, link, operation, args, timeoutMs),
    callActor: async (link, fn, args, timeoutMs) => {
      const reply = await callRemoteActor(bus, link.target, link.interface, { kind: 'call', iface: link.interface, fn, args }, timeoutMs);
      return 'failed' in reply ? { err: undefined, reason: reply.failed } : (reply.value as CallOutcome);
    },
    probe: (kind, target, timeoutMs) => probeTarget(bus, kind, target, timeoutMs),
    serveProvider: (provider, linkOf) => serveProviderRpc(bus, provider, linkOf),
    serveActor: (actorId, interfaces, invoke) => serveActorRpc(bus, actorId, interfaces, invoke),
  };
}
