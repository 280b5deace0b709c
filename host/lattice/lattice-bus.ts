/**
 * A lattice's NATS connection as its members use it: on a locked lattice every message that goes
 * out is stamped (message-auth.ts) and every message that comes in is checked before anyone acts
 * on it; what fails is dropped with a logged reason and, where a reply is expected, refused with a
 * coded answer. On an unlocked lattice it passes messages through as they are.
 */
import { RequestStrategy, headers, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';
import { isDown, onDisconnect } from './connection-state.ts';
import { LatticeError } from '../errors.ts';
import { AUTH_HEADER, formatStamp, NonceCache, parseStamp, staleness, type AuthStamp } from './message-auth.ts';
import { PeerSessions, replyTarget, signatureHolds, type LatticeIdentity, type MacCheck } from './peer-sessions.ts';
import type { RemoteTargets } from '../remote-targets.ts';
import { natsRemoteTargets } from './rpc.ts';
import { isLocked, operatorRefusal, type LatticeTrust } from './trust.ts';

export type { LatticeIdentity } from './peer-sessions.ts';

/** A message that passed the lattice's checks. */
export interface Inbound {
  readonly subject: string;
  readonly data: Uint8Array;
  /** The key that stamped it, on a locked lattice; undefined on an unlocked one. */
  readonly sender: string | undefined;
  readonly role: 'member' | 'operator' | undefined;
  /** When this end received it (its own clock): the start of a relative deadline. */
  readonly receivedAt: number;
  readonly expectsReply: boolean;
  string(): string;
  /** Answers it, stamped and bound to it. */
  respond(body: Uint8Array | string): void;
}

export interface LatticeBusOptions {
  readonly connection: NatsConnection;
  readonly lattice: string;
  /** Who this end is: what it sends is stamped with this key (a member only on a locked lattice). */
  readonly identity?: LatticeIdentity;
  /** Whom it believes; locked when it names anyone. */
  readonly trust?: LatticeTrust;
  /** Epoch milliseconds; tests skew it. */
  readonly clock?: () => number;
  /** Hears each message that was dropped, and why. */
  readonly onRefused?: (subject: string, reason: string) => void;
}

export interface SubscribeOptions {
  readonly queue?: string;
  /** The target a message on this subject must be stamped for: a host or provider id, or `*`. */
  readonly target: (subject: string) => string;
  /** The coded answer to a refused request, in the protocol's own shape; none leaves it unanswered. */
  readonly refusal?: (reason: string) => Uint8Array | string | undefined;
  /** Members only (the default takes operators too): for RPC, which operators do not send. */
  readonly membersOnly?: boolean;
}

const encoder = new TextEncoder();
const bytesOf = (body: Uint8Array | string) => (typeof body === 'string' ? encoder.encode(body) : body);

export class LatticeBus {
  readonly connection: NatsConnection;
  readonly lattice: string;
  readonly locked: boolean;
  readonly #options: LatticeBusOptions;
  readonly #sessions: PeerSessions | undefined;
  readonly #nonces = new NonceCache();
  readonly #clock: () => number;

  constructor(options: LatticeBusOptions) {
    this.#options = options;
    this.connection = options.connection;
    this.lattice = options.lattice;
    this.locked = isLocked(options.trust);
    this.#clock = options.clock ?? Date.now;
    const { identity } = options;
    if (this.locked && identity?.role === 'member' && !identity.voucher) throw new LatticeError('LATTICE_UNTRUSTED', `${identity.key.publicKey} joins a locked lattice without a voucher from a cluster issuer`);
    // A member stamps only on a locked lattice: on an unlocked one nobody checks. An operator always signs.
    const stamping = identity && (identity.role === 'operator' || this.locked);
    this.#sessions = stamping ? new PeerSessions({ connection: options.connection, lattice: options.lattice, identity, trust: options.trust ?? { operators: [], clusterIssuers: [] }, clock: this.#clock }) : undefined;
    if (this.locked) this.#sessions?.serve();
  }

  #remoteTargets: RemoteTargets | undefined;

  /** What a host reaches and offers over this bus: providers and actors on other hosts. */
  get remoteTargets(): RemoteTargets {
    return (this.#remoteTargets ??= natsRemoteTargets(this));
  }

  /** This end's key on the lattice, when it has one. */
  get self(): string | undefined {
    return this.#options.identity?.key.publicKey;
  }

  now(): number {
    return this.#clock();
  }

  publish(subject: string, body: Uint8Array | string, target = '*'): void {
    if (this.connection.isClosed()) return;
    const data = bytesOf(body);
    const { headers: carried } = this.#stamped(subject, target, data);
    this.connection.publish(subject, data, carried ? { headers: carried } : undefined);
  }

  /** One request; on a locked lattice the reply must be stamped by a trusted peer for this request. */
  async request(subject: string, body: Uint8Array | string, options: { target: string; timeoutMs: number }): Promise<Inbound> {
    const data = bytesOf(body);
    const unreachable = () => new LatticeError('LATTICE_UNAVAILABLE', `the lattice ${this.lattice} is unreachable: the NATS server is down; retrying in the background`);
    if (this.connection.isClosed()) throw new LatticeError('LATTICE_UNAVAILABLE', 'the connection to the lattice is closed');
    if (isDown(this.connection)) throw unreachable();
    const stamped = this.#stamped(subject, options.target, data);
    let stopWatching = () => {};
    // A call in flight when the server link drops fails then, not at its timeout.
    const dropped = new Promise<never>((_resolve, reject) => (stopWatching = onDisconnect(this.connection, () => reject(unreachable()))));
    let message: Msg;
    try {
      message = await Promise.race([this.connection.request(subject, data, { timeout: options.timeoutMs, ...(stamped.headers ? { headers: stamped.headers } : {}) }), dropped]);
    } finally {
      stopWatching();
    }
    const checked = await this.#check(message, replyTarget(stamped.stamp), false);
    if (typeof checked === 'string') throw new LatticeError('LATTICE_UNTRUSTED', `the answer on ${subject} is refused: ${checked}`);
    return checked;
  }

  /** Every reply within `maxWait`; on a locked lattice the ones that fail the checks are left out. */
  async *requestMany(subject: string, body: Uint8Array | string, options: { target: string; maxWait: number }): AsyncIterable<Inbound> {
    const data = bytesOf(body);
    const stamped = this.#stamped(subject, options.target, data);
    const replies = await this.connection.requestMany(subject, data, { strategy: RequestStrategy.Timer, maxWait: options.maxWait, ...(stamped.headers ? { headers: stamped.headers } : {}) });
    for await (const message of replies) {
      const checked = await this.#check(message, replyTarget(stamped.stamp), false);
      if (typeof checked === 'string') this.#options.onRefused?.(subject, checked);
      else yield checked;
    }
  }

  subscribe(subject: string, options: SubscribeOptions, handle: (message: Inbound) => void | Promise<void>): Subscription {
    return this.connection.subscribe(subject, {
      ...(options.queue ? { queue: options.queue } : {}),
      callback: (error, message) => {
        if (error) return;
        const failed = (failure: unknown) => this.#options.onRefused?.(message.subject, `its handler failed: ${(failure as Error)?.message ?? String(failure)}`);
        const deliver = (checked: Inbound | string): void => {
          if (typeof checked !== 'string') {
            try {
              return void Promise.resolve(handle(checked)).catch(failed);
            } catch (failure) {
              return failed(failure);
            }
          }
          this.#options.onRefused?.(message.subject, checked);
          const answer = message.reply ? options.refusal?.(checked) : undefined;
          // Bound to the stamp the request claims, so that its sender can read the refusal.
          const claimed = parseStamp(message.headers?.get(AUTH_HEADER));
          if (answer !== undefined) this.#respond(message, typeof claimed === 'string' ? undefined : claimed, bytesOf(answer));
        };
        const checked = this.#check(message, options.target(message.subject), options.membersOnly ?? false);
        if (checked instanceof Promise) void checked.then(deliver, failed);
        else deliver(checked);
      },
    });
  }

  /** Stops answering handshakes; the connection stays the caller's. */
  stop(): void {
    this.#sessions?.stop();
  }

  #stamped(subject: string, target: string, body: Uint8Array): { headers?: MsgHdrs; stamp?: AuthStamp } {
    if (!this.#sessions) return {};
    const stamp = this.#sessions.stamp(subject, target, body);
    const carried = headers();
    carried.set(AUTH_HEADER, formatStamp(stamp));
    return { headers: carried, stamp };
  }

  #respond(message: Msg, request: AuthStamp | undefined, body: Uint8Array): void {
    if (!message.reply) return;
    const stamped = this.#sessions ? this.#stamped(message.reply, replyTarget(request), body) : {};
    message.respond(body, stamped.headers ? { headers: stamped.headers } : {});
  }

  /**
   * The message as an Inbound when it may be acted on, or why not. Synchronous unless a member's
   * key must be fetched first: a promise and its turn of the event loop cost the hot path.
   */
  #check(message: Msg, target: string, membersOnly: boolean): Inbound | string | Promise<Inbound | string> {
    const receivedAt = this.#clock();
    // Unlocked, nothing is checked, so no stamp is believed: the message is nobody's in particular.
    if (!this.locked) return this.#inbound(message, undefined, undefined, receivedAt);
    const stamp = parseStamp(message.headers?.get(AUTH_HEADER));
    if (typeof stamp === 'string') return stamp;
    if (stamp.mode === 'sig') {
      if (membersOnly) return `${stamp.sender} is an operator; only hosts and providers send this`;
      const refused = operatorRefusal(this.#options.trust!, stamp.sender);
      if (refused) return refused;
      if (!signatureHolds(stamp, message.subject, target, message.data)) return 'the message does not match its signature (changed, or sent on another subject or to another target)';
      const stale = staleness(stamp.time, receivedAt, 0);
      if (stale) return stale;
      if (!this.#nonces.accept(stamp.sender, stamp.nonce, receivedAt)) return 'the message was seen before (a replay)';
      return this.#inbound(message, stamp, 'operator', receivedAt);
    }
    if (!this.#sessions) return 'this end cannot check members\' messages: it has no key of its own';
    const admit = (checked: MacCheck): Inbound | string => {
      if (typeof checked === 'string') return checked;
      const stale = staleness(stamp.time, this.#clock(), checked.offsetMs);
      if (stale) return stale;
      if (!checked.window.accept(stamp.counter)) return 'the message was seen before (a replay)';
      return this.#inbound(message, stamp, 'member', receivedAt);
    };
    const checked = this.#sessions.checkMac(stamp, message.subject, target, message.data);
    return checked instanceof Promise ? checked.then(admit) : admit(checked);
  }

  #inbound(message: Msg, stamp: AuthStamp | undefined, role: Inbound['role'], receivedAt: number): Inbound {
    return {
      subject: message.subject,
      data: message.data,
      sender: stamp?.sender,
      role,
      receivedAt,
      expectsReply: Boolean(message.reply),
      string: () => message.string(),
      respond: (body) => this.#respond(message, stamp, bytesOf(body)),
    };
  }
}
