import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileBlobBackend } from '../../../providers/blobstore/index.ts';
import { blobContent } from '../../fixtures/blob-content.ts';
import { writeThenKill } from '../../fixtures/kill-after-acks.ts';

const WRITER = fileURLToPath(new URL('../../fixtures/blob-crash-writer.ts', import.meta.url));
const ROUNDS = 20;

describe('file blob store crash safety', () => {
  it(`never shows a half-written object, and keeps every acknowledged one, through ${ROUNDS} kill -9s at random points`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'badger-blob-crash-'));
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const lastAck = await writeThenKill(WRITER, dir, 5 + Math.floor(Math.random() * 60));
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
