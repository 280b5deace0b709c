/**
 * The cryptography of a locked lattice, on node:crypto: Ed25519 with nkeys (35 µs to sign and
 * 109 µs to verify here, against 715 µs and 1.7 ms with @noble, which stays for claims), X25519 to
 * hand a session key to a peer, AES-256-GCM to seal it, and a keyed SHA3-256 on each message.
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hash, hkdfSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { decodePublicKey, type KeyPair } from '../../claims/index.ts';

// DER wrappers that turn a raw 32-byte Ed25519 or X25519 key into what node:crypto imports.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** Signs with an nkey through node:crypto; the private key object is made once. */
export function fastSigner(pair: KeyPair): (message: Uint8Array) => Uint8Array {
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, pair.rawSeed()]), format: 'der', type: 'pkcs8' });
  return (message) => new Uint8Array(sign(null, message, key));
}

// Peers are few and long-lived: their public key objects are kept rather than parsed per message.
const publicKeys = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE_LIMIT = 4096;

/** Whether `signature` is the nkey `publicKey`'s over `message`; false for anything malformed. */
export function verifyNkeySignature(publicKey: string, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  let key = publicKeys.get(publicKey);
  if (!key) {
    try {
      key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, decodePublicKey(publicKey).raw]), format: 'der', type: 'spki' });
    } catch {
      return false;
    }
    if (publicKeys.size >= PUBLIC_KEY_CACHE_LIMIT) publicKeys.clear();
    publicKeys.set(publicKey, key);
  }
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** A fresh X25519 key pair for one handshake; its public half travels as 32 raw bytes. */
export function ephemeralKeyPair(): { readonly publicKey: Uint8Array; readonly privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI_PREFIX.length);
  return { publicKey: new Uint8Array(raw), privateKey };
}

/** The AES key two ends of a handshake share, bound to what the handshake is about. */
function sharedKey(privateKey: KeyObject, peerPublic: Uint8Array, context: string): Buffer {
  if (peerPublic.length !== 32) throw new Error('an X25519 public key is 32 bytes');
  const peer = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, peerPublic]), format: 'der', type: 'spki' });
  const secret = diffieHellman({ privateKey, publicKey: peer });
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `badger session key ${context}`, 32));
}

/** Encrypts `secret` for the holder of `peerPublic`: a 12-byte IV, the ciphertext and the 16-byte tag. */
export function sealFor(privateKey: KeyObject, peerPublic: Uint8Array, context: string, secret: Uint8Array): Uint8Array {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sharedKey(privateKey, peerPublic, context), iv);
  const body = Buffer.concat([cipher.update(secret), cipher.final()]);
  return new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()]));
}

/** The inverse of sealFor; throws when the bytes were not sealed for this key and context. */
export function openFrom(privateKey: KeyObject, peerPublic: Uint8Array, context: string, sealed: Uint8Array): Uint8Array {
  if (sealed.length < 12 + 16) throw new Error('a sealed key is too short');
  const decipher = createDecipheriv('aes-256-gcm', sharedKey(privateKey, peerPublic, context), sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]));
}

/**
 * A session key to MAC with: 32 raw bytes. The MAC is SHA3-256 over the key and then the message,
 * the construction KMAC (NIST SP 800-185) is built on: SHA-3 has no length extension, so a secret
 * prefix is a sound MAC without HMAC's second pass. It is one call into OpenSSL where HMAC was
 * four (make, update, update, digest), and the bench measured 8 µs less a message on the RPC path
 * (18 against 26 µs there, with three NATS servers on the same two cores).
 */
export type MacKey = Buffer;

export function macKey(raw: Uint8Array): MacKey {
  if (raw.length !== 32) throw new Error('a session key is 32 bytes');
  return Buffer.from(raw);
}

/**
 * SHA3-256 over the key, the preamble (UTF-8) and the body, as base64url: the form the stamp
 * carries, so that neither end converts the tag in another call.
 */
export function macOf(key: MacKey, [preamble, body]: readonly [string, Uint8Array]): string {
  const preambleLength = Buffer.byteLength(preamble);
  const input = Buffer.allocUnsafe(key.length + preambleLength + body.length);
  key.copy(input, 0);
  input.write(preamble, key.length);
  input.set(body, key.length + preambleLength);
  return hash('sha3-256', input, 'base64url');
}

/** Whether two tags are the same, in a time that depends on their length only. */
export function tagsEqual(given: string, expected: string): boolean {
  if (given.length !== expected.length) return false;
  let difference = 0;
  for (let index = 0; index < given.length; index++) difference |= given.charCodeAt(index) ^ expected.charCodeAt(index);
  return difference === 0;
}

export function randomKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}
