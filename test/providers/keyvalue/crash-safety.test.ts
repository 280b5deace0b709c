import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileBackend } from '../../../providers/keyvalue/index.ts';
import { writeThenKill } from '../../fixtures/kill-after-acks.ts';

const WRITER = fileURLToPath(new URL('../../fixtures/kv-crash-writer.ts', import.meta.url));
const ROUNDS = 20;

describe('file store crash safety', () => {
  it(`keeps every acknowledged write through ${ROUNDS} kill -9s at random points`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'badger-kv-crash-'));
    let checked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Each round continues the same store: the writer restarts at key 0 and overwrites.
      const lastAck = await writeThenKill(WRITER, dir, 20 + Math.floor(Math.random() * 400));
      const backend = await fileBackend(dir);
      const bucket = await backend.bucket('crash');
      for (let i = 0; i <= lastAck; i++) {
        const value = await bucket.get(`key-${i}`);
        expect(value && new TextDecoder().decode(value), `round ${round}, key-${i}`).toBe(`value-${i}-${'x'.repeat(i % 700)}`);
      }
      // Every key present is whole: none holds a torn value.
      for (const key of (await bucket.listKeys(0, 100_000)).keys) {
        if (key === 'count') continue;
        const i = Number(key.slice(4));
        expect(new TextDecoder().decode((await bucket.get(key))!)).toBe(`value-${i}-${'x'.repeat(i % 700)}`);
      }
      checked += lastAck + 1;
      // Each acknowledged step incremented the counter first, so it holds at least every acknowledged one.
      const count = BigInt(new TextDecoder().decode((await bucket.get('count'))!));
      expect(count >= BigInt(checked)).toBe(true);
      await backend.close();
    }
    expect(checked).toBeGreaterThan(ROUNDS * 20);
  }, 240_000);
});
