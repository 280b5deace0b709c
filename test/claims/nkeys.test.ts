import * as oracle from 'nkeys.js';
import { describe, expect, it } from 'vitest';
import { ClaimsError, decodePublicKey, generateKeyPair, KEY_TYPES, keyPairFromSeed, verifyWithPublicKey, type KeyType } from '../../claims/index.ts';

// The NATS types nkeys.js knows; M (component) and V (provider) are wasmCloud's own.
const ORACLE_TYPES: ReadonlyArray<[KeyType, () => oracle.KeyPair]> = [
  ['account', oracle.createAccount],
  ['user', oracle.createUser],
  ['operator', oracle.createOperator],
  ['cluster', oracle.createCluster],
  ['host', oracle.createServer],
];

const LETTER: Record<KeyType, string> = {
  account: 'A', component: 'M', provider: 'V', host: 'N', operator: 'O', cluster: 'C', user: 'U',
};

describe('nkeys', () => {
  it.each(ORACLE_TYPES)('reads %s seeds made by nkeys.js and derives the same public key', (type, create) => {
    const theirs = create();
    const ours = keyPairFromSeed(new TextDecoder().decode(theirs.getSeed()));
    expect(ours.type).toBe(type);
    expect(ours.publicKey).toBe(theirs.getPublicKey());
  });

  it.each(ORACLE_TYPES)('writes %s seeds that nkeys.js reads back to the same key', (type) => {
    const ours = generateKeyPair(type);
    const theirs = oracle.fromSeed(new TextEncoder().encode(ours.seed));
    expect(theirs.getPublicKey()).toBe(ours.publicKey);
    expect(oracle.fromPublic(ours.publicKey).getPublicKey()).toBe(ours.publicKey);
  });

  it.each(ORACLE_TYPES)('signs %s messages that nkeys.js verifies, and verifies its signatures', (type) => {
    const ours = generateKeyPair(type);
    const theirs = oracle.fromSeed(new TextEncoder().encode(ours.seed));
    const message = new TextEncoder().encode('hello lattice');
    expect(theirs.verify(message, ours.sign(message))).toBe(true);
    expect(verifyWithPublicKey(ours.publicKey, message, theirs.sign(message))).toBe(true);
  });

  it.each(KEY_TYPES)('encodes %s keys with their letter and round-trips the seed', (type) => {
    const pair = generateKeyPair(type);
    expect(pair.publicKey[0]).toBe(LETTER[type]);
    expect(pair.seed.slice(0, 2)).toBe(`S${LETTER[type]}`);
    const again = keyPairFromSeed(pair.seed);
    expect(again.publicKey).toBe(pair.publicKey);
    expect(decodePublicKey(pair.publicKey).type).toBe(type);
  });

  it('refuses a key with a typo, naming the checksum', () => {
    const key = generateKeyPair('account').publicKey;
    const typo = key.slice(0, 10) + (key[10] === 'A' ? 'B' : 'A') + key.slice(11);
    expect(() => decodePublicKey(typo)).toThrowError(/checksum/);
  });

  it('refuses text that is not base32, and a public key given as a seed', () => {
    expect(() => keyPairFromSeed('not a seed!')).toThrowError(ClaimsError);
    expect(() => keyPairFromSeed(generateKeyPair('account').publicKey)).toThrowError(/seed/);
  });
});
