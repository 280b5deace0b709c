import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileBackend } from '../../../providers/keyvalue/index.ts';

const WRITER = fileURLToPath(new URL('../../fixtures/kv-crash-writer.ts', import.meta.url));
const ROUNDS = 20;

/** Runs the writer, kills it with SIGKILL once it has acknowledged `after` writes, and returns the last acknowledged index. */
function writeThenKill(dir: string, after: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastAck = -1;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) lastAck = Number(line.slice(4));
      if (lastAck >= after) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(lastAck) : reject(new Error(`writer exited with ${code}: ${stderr}`))));
  });
}

describe('file store crash safety', () => {
  it(`keeps every acknowledged write through ${ROUNDS} kill -9s at random points`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'badger-kv-crash-'));
    let checked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Each round continues the same store: the writer restarts at key 0 and overwrites.
      const lastAck = await writeThenKill(dir, 20 + Math.floor(Math.random() * 400));
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
