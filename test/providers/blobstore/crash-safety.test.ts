import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileBlobBackend } from '../../../providers/blobstore/index.ts';
import { blobContent } from '../../fixtures/blob-content.ts';

const WRITER = fileURLToPath(new URL('../../fixtures/blob-crash-writer.ts', import.meta.url));
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

describe('file blob store crash safety', () => {
  it(`never shows a half-written object, and keeps every acknowledged one, through ${ROUNDS} kill -9s at random points`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'badger-blob-crash-'));
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const lastAck = await writeThenKill(dir, 5 + Math.floor(Math.random() * 60));
        const blobs = await (await fileBlobBackend(dir, { maxObjectBytes: 1024 * 1024 })).container('crash');
        const names = await blobs.list();
        for (const name of names) {
          const read = await blobs.read(name, 0n, 1n << 30n);
          const i = new DataView(read.buffer, read.byteOffset).getUint32(0);
          expect(`obj-${i % 50}`, `round ${round}: ${name} holds object ${i}`).toBe(name);
          expect(Buffer.from(read).equals(blobContent(i)), `round ${round}: ${name} (object ${i}) is whole`).toBe(true);
        }
        // Each of the last acknowledged writes is there, or one written after it under the same name.
        for (let i = Math.max(0, lastAck - 49); i <= lastAck; i++) {
          const read = await blobs.read(`obj-${i % 50}`, 0n, 3n);
          expect(new DataView(read.buffer, read.byteOffset).getUint32(0), `round ${round}: obj-${i % 50}`).toBeGreaterThanOrEqual(i);
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
