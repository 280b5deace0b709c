/**
 * Session keys between the members of a locked lattice. Each member MACs what it sends with a
 * short-lived key of its own; a trusted peer fetches it once by a handshake on
 * `badger.auth.<lattice>.<member>`: the peer signs a request with its key and voucher and an
 * ephemeral X25519 key, and the member answers, signed with its own key and voucher, with the
 * session key sealed to that X25519 key and its clock's time. The peer thereby learns the key, that
 * the member is vouched for, and how far the member's clock is from its own.
 *
 * The key is the member's, handed to every trusted peer (one key per sender, not per pair): a
 * trusted member could stamp messages as another. Members are equals on a lattice, so it gains
 * nothing it could not do under its own name; docs/security.md says so.
 */
import { randomBytes } from 'node:crypto';
import { headers, type NatsConnection, type Subscription } from 'nats';
import type { KeyPair } from '../../claims/index.ts';
import { ephemeralKeyPair, fastSigner, macKey, macOf, type MacKey, openFrom, randomKey, sealFor, tagsEqual, verifyNkeySignature } from './lattice-crypto.ts';
import { AUTH_HEADER, CounterWindow, formatStamp, macInput, parseStamp, signatureInput, type AuthStamp } from './message-auth.ts';
import { memberRefusal, operatorRefusal, type LatticeTrust } from './trust.ts';
import { SUBJECT_PREFIX, checkLatticeName } from './subjects.ts';

/** How long a member sends under one key before it makes the next. */
export const SESSION_KEY_LIFETIME_MS = 60 * 60_000;
const HANDSHAKE_TIMEOUT_MS = 2000;
// A sender nobody can vouch for is not asked again at once: forged stamps must not become a flood of handshakes.
const REFUSED_PEER_BACKOFF_MS = 2000;
const PEER_LIMIT = 10_000;
// Made-up key ids in a real member's name must not make this end shake hands once a message:
// a member's key is asked for again at most this often (it changes once an hour).
const REFETCH_INTERVAL_MS = 5000;

export function handshakeSubject(lattice: string, member: string): string {
  return `${SUBJECT_PREFIX}.auth.${checkLatticeName(lattice)}.${member}`;
}

/** Who this end is on the lattice: a member (host or provider) with its voucher, or an operator. */
export type LatticeIdentity =
  | { readonly role: 'member'; readonly key: KeyPair; readonly voucher?: string }
  | { readonly role: 'operator'; readonly key: KeyPair };

interface SendingKey {
  readonly id: string;
  readonly key: Uint8Array;
  readonly mac: MacKey;
  readonly createdAt: number;
  counter: number;
}

interface PeerKey {
  readonly peer: Peer;
  readonly mac: MacKey;
  readonly window: CounterWindow;
  readonly expiresAt: number;
}

/** A MAC that holds: the sender's clock offset and the key's counter window; or why it does not. */
export type MacCheck = { readonly offsetMs: number; readonly window: CounterWindow } | string;

function verifyMac(held: PeerKey, stamp: AuthStamp & { mode: 'mac' }, subject: string, target: string, body: Uint8Array): MacCheck {
  const expected = macOf(held.mac, macInput(stamp.sender, stamp.keyId, subject, target, stamp.time, stamp.counter, body));
  if (!tagsEqual(stamp.tag, expected)) return 'the message does not match its MAC (changed, or sent on another subject or to another target)';
  return { offsetMs: held.peer.offsetMs, window: held.window };
}

interface Peer {
  readonly keys: Map<string, PeerKey>;
  /** How far the peer's clock is ahead of ours (ms), measured by the last handshake. */
  offsetMs: number;
}

interface HandshakeRequest {
  readonly v: 1;
  readonly requester: string;
  readonly voucher?: string;
  readonly ephemeral: string;
  readonly keyId?: string;
}

interface HandshakeReply {
  readonly v: 1;
  readonly member: string;
  readonly voucher?: string;
  readonly keyId: string;
  readonly ephemeral: string;
  readonly sealed: string;
  readonly time: number;
  readonly validForMs: number;
}

const encoder = new TextEncoder();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

/** An operator's or member's Ed25519 stamp over one message. */
export function signatureStamp(key: KeyPair, sign: (message: Uint8Array) => Uint8Array, subject: string, target: string, body: Uint8Array, time: number): AuthStamp {
  const nonce = randomBytes(12).toString('base64url');
  return { mode: 'sig', sender: key.publicKey, time, nonce, tag: b64(sign(signatureInput(key.publicKey, subject, target, time, nonce, body))) };
}

/** Whether a `sig` stamp is its sender's signature over this message. */
export function signatureHolds(stamp: AuthStamp & { mode: 'sig' }, subject: string, target: string, body: Uint8Array): boolean {
  return verifyNkeySignature(stamp.sender, signatureInput(stamp.sender, subject, target, stamp.time, stamp.nonce, body), Buffer.from(stamp.tag, 'base64url'));
}

/** A reply is bound to the request it answers: its target names the request's stamp. */
export function replyTarget(request: AuthStamp | undefined): string {
  if (!request) return 're:-';
  return request.mode === 'sig' ? `re:${request.sender}:${request.nonce}` : `re:${request.sender}:${request.keyId}:${request.counter}`;
}

export interface PeerSessionsOptions {
  readonly connection: NatsConnection;
  readonly lattice: string;
  readonly identity: LatticeIdentity;
  readonly trust: LatticeTrust;
  readonly clock: () => number;
  readonly lifetimeMs?: number;
}

/** This end's sending keys, its peers' keys, and the handshake between them. */
export class PeerSessions {
  readonly #options: PeerSessionsOptions;
  readonly #sign: (message: Uint8Array) => Uint8Array;
  readonly #lifetimeMs: number;
  #current: SendingKey;
  #previous: SendingKey | undefined;
  readonly #peers = new Map<string, Peer>();
  readonly #fetching = new Map<string, Promise<Peer | string>>();
  readonly #refused = new Map<string, { until: number; reason: string }>();
  /** When each peer last handed this end a key. */
  readonly #fetchedAt = new Map<string, number>();
  #serving: Subscription | undefined;

  constructor(options: PeerSessionsOptions) {
    this.#options = options;
    this.#sign = fastSigner(options.identity.key);
    this.#lifetimeMs = options.lifetimeMs ?? SESSION_KEY_LIFETIME_MS;
    this.#current = this.#newSendingKey();
  }

  /** A member answers handshakes from trusted peers; an operator (a CLI run) only asks. */
  serve(): void {
    const { connection, lattice, identity } = this.#options;
    if (identity.role !== 'member') return;
    this.#serving = connection.subscribe(handshakeSubject(lattice, identity.key.publicKey), {
      callback: (error, message) => {
        if (error || !message.reply) return;
        const answer = this.#answerHandshake(message.subject, message.data, message.headers?.get(AUTH_HEADER));
        const body = encoder.encode(JSON.stringify('refused' in answer ? { v: 1, refused: answer.refused } : answer.reply));
        const carried = headers();
        // The answer is signed for the request's reply inbox and bound to the request's stamp.
        if (!('refused' in answer)) carried.set(AUTH_HEADER, formatStamp(signatureStamp(identity.key, this.#sign, message.reply, replyTarget(answer.request), body, this.#options.clock())));
        message.respond(body, { headers: carried });
      },
    });
  }

  stop(): void {
    this.#serving?.unsubscribe();
  }

  /** Stamps one message: an operator signs it, a member MACs it with its current session key. */
  stamp(subject: string, target: string, body: Uint8Array): AuthStamp {
    const time = this.#options.clock();
    if (this.#options.identity.role === 'operator') return signatureStamp(this.#options.identity.key, this.#sign, subject, target, body, time);
    if (time - this.#current.createdAt > this.#lifetimeMs) {
      this.#previous = this.#current;
      this.#current = this.#newSendingKey();
    }
    const sending = this.#current;
    const counter = sending.counter++;
    const sender = this.#options.identity.key.publicKey;
    const tag = macOf(sending.mac, macInput(sender, sending.id, subject, target, time, counter, body));
    return { mode: 'mac', sender, keyId: sending.id, time, counter, tag };
  }

  /**
   * Checks a member's MAC stamp. Answers at once when the member's key is held (the hot path: no
   * promise, no turn of the event loop), and after a handshake when it is new here. Gives the
   * peer's clock offset (for the freshness check) and the counter window, or why it fails.
   */
  checkMac(stamp: AuthStamp & { mode: 'mac' }, subject: string, target: string, body: Uint8Array): MacCheck | Promise<MacCheck> {
    const held = this.#peers.get(stamp.sender)?.keys.get(stamp.keyId);
    if (held && held.expiresAt >= this.#options.clock()) return verifyMac(held, stamp, subject, target, body);
    return this.#fetch(stamp.sender, stamp.keyId).then((fetched) => {
      if (typeof fetched === 'string') return fetched;
      const fresh = fetched.keys.get(stamp.keyId);
      return fresh ? verifyMac(fresh, stamp, subject, target, body) : `${stamp.sender} no longer hands out the session key the message names`;
    });
  }

  #newSendingKey(): SendingKey {
    const key = randomKey();
    return { id: randomBytes(9).toString('base64url'), key, mac: macKey(key), createdAt: this.#options.clock(), counter: 0 };
  }

  /** One handshake at a time per peer and key; a refused peer is not asked again for a moment. */
  #fetch(member: string, keyId: string): Promise<Peer | string> {
    const now = this.#options.clock();
    const refused = this.#refused.get(member);
    if (refused && refused.until > now) return Promise.resolve(refused.reason);
    const fetchedAt = this.#fetchedAt.get(member);
    if (fetchedAt !== undefined && now - fetchedAt < REFETCH_INTERVAL_MS) return Promise.resolve(`${member} has no session key ${keyId}`);
    const id = `${member} ${keyId}`;
    let fetching = this.#fetching.get(id);
    if (!fetching) {
      fetching = this.#handshake(member, keyId)
        .catch((error: unknown) => `no handshake with ${member}: ${(error as Error)?.message ?? String(error)}`)
        .then((result) => {
          this.#fetching.delete(id);
          if (typeof result === 'string') {
            if (this.#refused.size >= PEER_LIMIT) this.#refused.clear();
            this.#refused.set(member, { until: this.#options.clock() + REFUSED_PEER_BACKOFF_MS, reason: result });
          }
          return result;
        });
      this.#fetching.set(id, fetching);
    }
    return fetching;
  }

  async #handshake(member: string, keyId: string): Promise<Peer | string> {
    const { connection, lattice, identity, trust, clock } = this.#options;
    const ephemeral = ephemeralKeyPair();
    const subject = handshakeSubject(lattice, member);
    const request: HandshakeRequest = {
      v: 1,
      requester: identity.key.publicKey,
      ...(identity.role === 'member' && identity.voucher ? { voucher: identity.voucher } : {}),
      ephemeral: b64(ephemeral.publicKey),
      keyId,
    };
    const body = encoder.encode(JSON.stringify(request));
    const requestStamp = signatureStamp(identity.key, this.#sign, subject, member, body, clock());
    const carried = headers();
    carried.set(AUTH_HEADER, formatStamp(requestStamp));
    const sentAt = clock();
    const message = await connection.request(subject, body, { timeout: HANDSHAKE_TIMEOUT_MS, headers: carried });
    const receivedAt = clock();
    let reply: Partial<HandshakeReply> & { refused?: string };
    try {
      reply = JSON.parse(message.string()) as typeof reply;
    } catch {
      return `${member} answered the handshake with something that is not JSON`;
    }
    if (reply.refused) return `${member} refused the handshake: ${reply.refused}`;
    const stamp = parseStamp(message.headers?.get(AUTH_HEADER));
    if (typeof stamp === 'string' || stamp.mode !== 'sig' || stamp.sender !== member || reply.member !== member) return `${member}'s handshake answer is not signed by ${member}`;
    if (!signatureHolds(stamp, message.subject, replyTarget(requestStamp), message.data)) return `${member}'s handshake answer does not match its signature`;
    const untrusted = memberRefusal(trust, lattice, member, reply.voucher);
    if (untrusted) return untrusted;
    if (typeof reply.keyId !== 'string' || typeof reply.time !== 'number' || typeof reply.validForMs !== 'number' || typeof reply.sealed !== 'string' || typeof reply.ephemeral !== 'string') {
      return `${member}'s handshake answer is malformed`;
    }
    const key = openFrom(ephemeral.privateKey, Buffer.from(reply.ephemeral, 'base64url'), sealContext(lattice, member, identity.key.publicKey, reply.keyId), Buffer.from(reply.sealed, 'base64url'));
    const peer = this.#peers.get(member) ?? { keys: new Map<string, PeerKey>(), offsetMs: 0 };
    // The member's time was read between our send and our receipt: the midpoint is the best guess.
    peer.offsetMs = reply.time - (sentAt + receivedAt) / 2;
    for (const [id, held] of peer.keys) if (held.expiresAt < receivedAt) peer.keys.delete(id);
    peer.keys.set(reply.keyId, { peer, mac: macKey(key), window: new CounterWindow(), expiresAt: receivedAt + Math.min(reply.validForMs, 2 * this.#lifetimeMs) });
    if (!this.#peers.has(member) && this.#peers.size >= PEER_LIMIT) {
      this.#peers.clear();
      this.#fetchedAt.clear();
    }
    this.#peers.set(member, peer);
    this.#fetchedAt.set(member, receivedAt);
    return peer;
  }

  #answerHandshake(subject: string, body: Uint8Array, header: string | undefined): { reply: HandshakeReply; request: AuthStamp } | { refused: string } {
    const { lattice, identity, trust, clock } = this.#options;
    const stamp = parseStamp(header);
    if (typeof stamp === 'string') return { refused: stamp };
    if (stamp.mode !== 'sig') return { refused: 'a handshake request is signed, not MACed' };
    let request: Partial<HandshakeRequest>;
    try {
      request = JSON.parse(new TextDecoder().decode(body)) as Partial<HandshakeRequest>;
    } catch {
      return { refused: 'a handshake request is JSON' };
    }
    if (request.requester !== stamp.sender || typeof request.ephemeral !== 'string') return { refused: 'a handshake request names its signer and an X25519 key' };
    // No freshness check: a replayed request gets a key sealed to an X25519 key only its signer holds.
    if (!signatureHolds(stamp, subject, identity.key.publicKey, body)) return { refused: 'the handshake request does not match its signature' };
    const untrusted = trust.operators.includes(stamp.sender) ? undefined : memberRefusal(trust, lattice, stamp.sender, request.voucher);
    if (untrusted) return { refused: trust.operators.length > 0 && !request.voucher ? operatorRefusal(trust, stamp.sender)! : untrusted };
    const sending = request.keyId === this.#previous?.id ? this.#previous! : this.#current;
    const ephemeral = ephemeralKeyPair();
    const now = clock();
    const reply: HandshakeReply = {
      v: 1,
      member: identity.key.publicKey,
      ...(identity.role === 'member' && identity.voucher ? { voucher: identity.voucher } : {}),
      keyId: sending.id,
      ephemeral: b64(ephemeral.publicKey),
      sealed: b64(sealFor(ephemeral.privateKey, Buffer.from(request.ephemeral, 'base64url'), sealContext(lattice, identity.key.publicKey, stamp.sender, sending.id), sending.key)),
      time: now,
      validForMs: sending.createdAt + 2 * this.#lifetimeMs - now,
    };
    return { reply, request: stamp };
  }
}

function sealContext(lattice: string, member: string, requester: string, keyId: string): string {
  return `${lattice} ${member} ${requester} ${keyId}`;
}
