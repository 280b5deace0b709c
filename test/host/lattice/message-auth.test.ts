import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { macKey, macOf, randomKey, tagsEqual } from '../../../host/lattice/lattice-crypto.ts';
import { CounterWindow, formatStamp, macInput, parseStamp } from '../../../host/lattice/message-auth.ts';

const SENDER = 'N'.repeat(56);
const body = new TextEncoder().encode('{"operation":"get"}');

describe('a member MAC', () => {
  const key = macKey(randomKey());
  const mac = (overrides: Partial<{ subject: string; target: string; counter: number; body: Uint8Array }> = {}) =>
    macOf(key, macInput(SENDER, 'k1', overrides.subject ?? 'badger.rpc.l.kv', overrides.target ?? 'kv', 1_800_000_000_000, overrides.counter ?? 7, overrides.body ?? body));

  it('is SHA3-256 over the key, then the preamble, then the body', () => {
    const [preamble] = macInput(SENDER, 'k1', 'badger.rpc.l.kv', 'kv', 1_800_000_000_000, 7, body);
    const expected = createHash('sha3-256').update(key).update(preamble).update(body).digest('base64url');
    expect(mac()).toBe(expected);
  });

  it('changes with the key, the subject, the target, the counter and the body', () => {
    const other = macOf(macKey(randomKey()), macInput(SENDER, 'k1', 'badger.rpc.l.kv', 'kv', 1_800_000_000_000, 7, body));
    const variants = [mac(), other, mac({ subject: 'badger.rpc.l.kv2' }), mac({ target: 'kv2' }), mac({ counter: 8 }), mac({ body: new Uint8Array([...body, 0]) })];
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('is compared whole: a tag differing in one character or in length does not match', () => {
    const tag = mac();
    const flipped = `${tag.slice(0, 20)}${tag[20] === 'A' ? 'B' : 'A'}${tag.slice(21)}`;
    expect(tagsEqual(tag, tag)).toBe(true);
    expect(tagsEqual(flipped, tag)).toBe(false);
    expect(tagsEqual(tag.slice(0, -1), tag)).toBe(false);
    expect(tagsEqual('', tag)).toBe(false);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => macKey(new Uint8Array(16))).toThrow(/32 bytes/);
  });
});

describe('a stamp header', () => {
  it('reads back what was written', () => {
    const stamp = { mode: 'mac', sender: SENDER, keyId: 'k1', time: 1_800_000_000_000, counter: 3, tag: 'abc_-' } as const;
    expect(parseStamp(formatStamp(stamp))).toEqual(stamp);
  });

  it('names what is wrong with a missing, over-long or malformed header', () => {
    expect(parseStamp(undefined)).toMatch(/not signed/);
    expect(parseStamp(`mac ${'A'.repeat(600)}`)).toMatch(/over-long/);
    expect(parseStamp(`mac ${SENDER} k1 now 3 tag`)).toMatch(/malformed/);
  });
});

describe('a counter window', () => {
  it('takes each counter once, out of order within the window, and none older than it', () => {
    const window = new CounterWindow();
    expect(window.accept(5)).toBe(true);
    expect(window.accept(5)).toBe(false);
    expect(window.accept(3)).toBe(true);
    expect(window.accept(3)).toBe(false);
    expect(window.accept(5 + CounterWindow.SIZE)).toBe(true);
    expect(window.accept(5)).toBe(false);
    expect(window.accept(4 + CounterWindow.SIZE)).toBe(true);
    expect(window.accept(-1)).toBe(false);
  });
});
