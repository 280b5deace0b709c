/**
 * The stamp that authenticates one lattice message, and the checks on it. Pure: keys, clocks and
 * the replay state come in as values.
 *
 * Two kinds, in the `Badger-Auth` NATS header:
 * - `sig <signer> <time> <nonce> <signature>`: an operator's Ed25519 signature, for control
 *   requests from the CLI, the reconciler and the dashboard (rare, so the 110 µs to verify is fine);
 * - `mac <sender> <keyId> <time> <counter> <mac>`: a member's (host's or provider's) keyed SHA3-256
 *   with its current session key, which trusted peers fetch once by a signed handshake.
 * Both bind the subject, the target, the body, the sender's time and a nonce (the counter is
 * the nonce of a MAC), so a message is good once, on one subject, for one target.
 */
import { createHash } from 'node:crypto';

export const AUTH_HEADER = 'Badger-Auth';

/** How far a message's time may be from the receiver's idea of the sender's clock. */
export const FRESHNESS_WINDOW_MS = 60_000;

export type AuthStamp =
  | { readonly mode: 'sig'; readonly sender: string; readonly time: number; readonly nonce: string; readonly tag: string }
  | { readonly mode: 'mac'; readonly sender: string; readonly keyId: string; readonly time: number; readonly counter: number; readonly tag: string };

export function formatStamp(stamp: AuthStamp): string {
  return stamp.mode === 'sig'
    ? `sig ${stamp.sender} ${stamp.time} ${stamp.nonce} ${stamp.tag}`
    : `mac ${stamp.sender} ${stamp.keyId} ${stamp.time} ${stamp.counter} ${stamp.tag}`;
}

// One pattern a kind, matched once: a header is parsed twice per round trip on the hot path.
const SIG_STAMP = /^sig ([A-Z2-7]{56}) ([0-9]{1,16}) ([A-Za-z0-9_-]{1,64}) ([A-Za-z0-9_-]{1,128})$/;
const MAC_STAMP = /^mac ([A-Z2-7]{56}) ([A-Za-z0-9_-]{1,64}) ([0-9]{1,16}) ([0-9]{1,16}) ([A-Za-z0-9_-]{1,128})$/;

/** The stamp in a header, or why it is not one. */
export function parseStamp(text: string | undefined): AuthStamp | string {
  if (!text) return 'the message is not signed';
  if (text.length > 512) return 'the message has an over-long Badger-Auth header';
  const mac = MAC_STAMP.exec(text);
  if (mac) return { mode: 'mac', sender: mac[1]!, keyId: mac[2]!, time: Number(mac[3]), counter: Number(mac[4]), tag: mac[5]! };
  const sig = SIG_STAMP.exec(text);
  if (sig) return { mode: 'sig', sender: sig[1]!, time: Number(sig[2]), nonce: sig[3]!, tag: sig[4]! };
  return 'the message has a malformed Badger-Auth header';
}

/** What an operator's Ed25519 signature covers. */
export function signatureInput(sender: string, subject: string, target: string, time: number, nonce: string, body: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(body).digest('hex');
  return new TextEncoder().encode(`badger-auth/1 sig ${sender} ${subject} ${target} ${time} ${nonce} ${digest}`);
}

/** What a member's MAC covers, in order (the body is fed to the MAC as it is: no second hash). */
export function macInput(sender: string, keyId: string, subject: string, target: string, time: number, counter: number, body: Uint8Array): [string, Uint8Array] {
  return [`badger-auth/1 mac ${sender} ${keyId} ${subject} ${target} ${time} ${counter}\n`, body];
}

/**
 * Why a message stamped at `time` is too old or from the future, or undefined when it is fresh.
 * `offsetMs` is how far the sender's clock is ahead of the receiver's, as a handshake measured it:
 * hosts with skewed clocks (a Pi with no real-time clock) still understand each other.
 */
export function staleness(time: number, localNowMs: number, offsetMs: number, windowMs = FRESHNESS_WINDOW_MS): string | undefined {
  const skew = time - (localNowMs + offsetMs);
  if (Math.abs(skew) <= windowMs) return undefined;
  const seconds = Math.round(Math.abs(skew) / 1000);
  return skew < 0
    ? `the message was sent ${seconds} s ago by the sender's clock; messages are good for ${windowMs / 1000} s (a replay, or clocks that disagree: set them by NTP)`
    : `the message is dated ${seconds} s ahead of the sender's clock as this receiver knows it (clocks that disagree: set them by NTP)`;
}

/**
 * The counters one session key has used, as a sliding window: each is taken once, and one
 * further behind the newest than the window is refused. O(1) memory, as in DTLS.
 */
export class CounterWindow {
  static readonly SIZE = 4096;
  #newest = -1;
  readonly #seen = new Uint32Array(CounterWindow.SIZE / 32);

  /** True the first time `counter` is offered, false for a repeat or one too old to tell. */
  accept(counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0) return false;
    if (counter > this.#newest) {
      // Clear the slots that the window slides past, at most the whole window.
      for (let slot = this.#newest + 1; slot <= counter && slot - this.#newest <= CounterWindow.SIZE; slot++) this.#clear(slot);
      this.#newest = counter;
      this.#set(counter);
      return true;
    }
    if (this.#newest - counter >= CounterWindow.SIZE) return false;
    if (this.#has(counter)) return false;
    this.#set(counter);
    return true;
  }

  #has(counter: number): boolean {
    const slot = counter % CounterWindow.SIZE;
    return (this.#seen[slot >>> 5]! & (1 << (slot & 31))) !== 0;
  }

  #set(counter: number): void {
    const slot = counter % CounterWindow.SIZE;
    this.#seen[slot >>> 5]! |= 1 << (slot & 31);
  }

  #clear(counter: number): void {
    const slot = counter % CounterWindow.SIZE;
    this.#seen[slot >>> 5]! &= ~(1 << (slot & 31));
  }
}

/**
 * The nonces of signed messages seen within the freshness window (twice the window, so that a
 * message at either edge is still remembered). Bounded: when full of live nonces it refuses.
 */
export class NonceCache {
  readonly #expiries = new Map<string, number>();
  readonly #limit: number;

  constructor(limit = 100_000) {
    this.#limit = limit;
  }

  /** True the first time `nonce` of `sender` is offered within the window. */
  accept(sender: string, nonce: string, localNowMs: number): boolean {
    const key = `${sender} ${nonce}`;
    const expiry = this.#expiries.get(key);
    if (expiry !== undefined && expiry > localNowMs) return false;
    if (this.#expiries.size >= this.#limit) this.#prune(localNowMs);
    if (this.#expiries.size >= this.#limit) return false;
    this.#expiries.set(key, localNowMs + 2 * FRESHNESS_WINDOW_MS);
    return true;
  }

  #prune(localNowMs: number): void {
    for (const [key, expiry] of this.#expiries) if (expiry <= localNowMs) this.#expiries.delete(key);
  }
}
