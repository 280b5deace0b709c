import { createHash, randomBytes } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { base32nopad } from '@scure/base';
import { crc16Xmodem } from './crc16.ts';
import { ClaimsError } from './errors.ts';

// noble's synchronous API needs a SHA-512; node:crypto's is native and fast.
ed.hashes.sha512 = (message: Uint8Array) => new Uint8Array(createHash('sha512').update(message).digest());

export const KEY_TYPES = ['account', 'component', 'provider', 'host', 'operator', 'cluster', 'user'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** A public nkey such as `ACOJ…` (account) or `MBCF…` (component). */
export type PublicKey = string & { readonly __brand: 'PublicKey' };
/** A seed such as `SA…`: the secret from which the key pair is derived. */
export type Seed = string & { readonly __brand: 'Seed' };

// Each prefix byte is a letter's base32 index shifted left by 3, so the encoded key starts with that letter.
const PREFIX_BYTE: Readonly<Record<KeyType, number>> = {
  account: 0 << 3, // A
  cluster: 2 << 3, // C
  component: 12 << 3, // M (wasmCloud module/component)
  host: 13 << 3, // N (server)
  operator: 14 << 3, // O
  user: 20 << 3, // U
  provider: 21 << 3, // V (wasmCloud service/provider)
};
const SEED_PREFIX_BYTE = 18 << 3; // S

const TYPE_BY_PREFIX = new Map<number, KeyType>(
  Object.entries(PREFIX_BYTE).map(([type, prefix]) => [prefix, type as KeyType]),
);

export function isKeyType(value: string): value is KeyType {
  return (KEY_TYPES as readonly string[]).includes(value);
}

export interface KeyPair {
  readonly type: KeyType;
  readonly publicKey: PublicKey;
  readonly seed: Seed;
  sign(message: Uint8Array): Uint8Array;
  /** The 32-byte Ed25519 secret: a method, so that serializing a key pair never leaks it. */
  rawSeed(): Uint8Array;
}

export function generateKeyPair(type: KeyType): KeyPair {
  return keyPairFromRawSeed(type, new Uint8Array(randomBytes(32)));
}

export function keyPairFromSeed(seed: string): KeyPair {
  const decoded = decodeChecked(seed.trim(), 'seed');
  if (decoded.length !== 2 + 32) {
    throw new ClaimsError('NKEY_MALFORMED', `seed has ${decoded.length} bytes of payload; expected 34`);
  }
  const first = decoded[0]!;
  const second = decoded[1]!;
  if ((first & 0b11111000) !== SEED_PREFIX_BYTE) {
    throw new ClaimsError('NKEY_MALFORMED', 'not a seed: it must start with S');
  }
  const typePrefix = ((first & 0b111) << 5) | ((second & 0b11111000) >> 3);
  const type = TYPE_BY_PREFIX.get(typePrefix);
  if (!type) throw new ClaimsError('NKEY_MALFORMED', 'seed names an unknown key type');
  return keyPairFromRawSeed(type, decoded.subarray(2));
}

export function decodePublicKey(key: string): { type: KeyType; raw: Uint8Array } {
  const decoded = decodeChecked(key, 'public key');
  if (decoded.length !== 1 + 32) {
    throw new ClaimsError('NKEY_MALFORMED', `public key has ${decoded.length} bytes of payload; expected 33`);
  }
  const type = TYPE_BY_PREFIX.get(decoded[0]!);
  if (!type) throw new ClaimsError('NKEY_MALFORMED', `public key "${key}" has an unknown type prefix`);
  return { type, raw: decoded.subarray(1) };
}

/** The key's type, or undefined when the string is not a well-formed public nkey. */
export function publicKeyType(key: string): KeyType | undefined {
  try {
    return decodePublicKey(key).type;
  } catch {
    return undefined;
  }
}

export function verifyWithPublicKey(key: string, message: Uint8Array, signature: Uint8Array): boolean {
  const { raw } = decodePublicKey(key);
  if (signature.length !== 64) return false;
  try {
    return ed.verify(signature, message, raw);
  } catch {
    return false;
  }
}

function keyPairFromRawSeed(type: KeyType, rawSeed: Uint8Array): KeyPair {
  const rawPublic = ed.getPublicKey(rawSeed);
  const prefix = PREFIX_BYTE[type];
  const publicKey = encodeChecked(Uint8Array.of(prefix, ...rawPublic)) as PublicKey;
  const seed = encodeChecked(
    Uint8Array.of(SEED_PREFIX_BYTE | (prefix >> 5), (prefix & 0b11111) << 3, ...rawSeed),
  ) as Seed;
  return {
    type,
    publicKey,
    seed,
    sign: (message) => ed.sign(message, rawSeed),
    rawSeed: () => rawSeed.slice(),
  };
}

function encodeChecked(payload: Uint8Array): string {
  const crc = crc16Xmodem(payload);
  return base32nopad.encode(Uint8Array.of(...payload, crc & 0xff, crc >> 8));
}

function decodeChecked(text: string, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base32nopad.decode(text);
  } catch {
    throw new ClaimsError('NKEY_MALFORMED', `${what} is not valid base32`);
  }
  if (bytes.length < 3) throw new ClaimsError('NKEY_MALFORMED', `${what} is too short`);
  const payload = bytes.subarray(0, bytes.length - 2);
  const stored = bytes[bytes.length - 2]! | (bytes[bytes.length - 1]! << 8);
  if (crc16Xmodem(payload) !== stored) {
    throw new ClaimsError('NKEY_MALFORMED', `${what} has a bad checksum (a typo or a truncated copy?)`);
  }
  return payload;
}
