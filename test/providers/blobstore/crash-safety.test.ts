import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openLatticeObjectStores } from '../../../host/lattice/index.ts';
import { fileBlobBackend, natsBlobBackend, type BlobBackend } from '../../../providers/blobstore/index.ts';
import { blobContent } from '../../fixtures/blob-content.ts';
import { writeThenKill } from '../../fixtures/kill-after-acks.ts';
import { startNatsServer } from '../../fixtures/nats-server.ts';

const WRITER = fileURLToPath(new URL('../../fixtures/blob-crash-writer.ts', import.meta.url));
const ROUNDS = 20;

/** Each backend: where the writer writes (a directory, a nats:// URL), how to read it back, and how to let go. */
const BACKENDS: [string, () => Promise<{ place: string; open(): Promise<BlobBackend>; done(): Promise<void> }>][] = [
  [
    'file',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'badger-blob-crash-'));
      return { place: dir, open: () => fileBlobBackend(dir, { maxObjectBytes: 1024 * 1024 }), done: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
  [
    "file, written from an actor's thread",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'badger-blob-crash-sync-'));
      // Read back by the provider's own backend: the two must agree on the layout as well.
      return { place: `sync:${dir}`, open: () => fileBlobBackend(dir, { maxObjectBytes: 1024 * 1024 }), done: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'nats',
    async () => {
      const nats = await startNatsServer();
      const opened: BlobBackend[] = [];
      return {
        place: nats.url,
        open: async () => {
          const backend = natsBlobBackend(await openLatticeObjectStores(nats.url));
          opened.push(backend);
          return backend;
        },
        async done() {
          for (const backend of opened) await backend.close?.();
          await nats.stop();
        },
      };
    },
  ],
];

describe.each(BACKENDS)('%s blob store crash safety', (_name, prepare) => {
  it(`never shows a half-written object, and keeps every acknowledged one, through ${ROUNDS} kill -9s at random points`, async () => {
    const { place, open, done } = await prepare();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const lastAck = await writeThenKill(WRITER, place, 5 + Math.floor(Math.random() * 60));
        const blobs = await (await open()).container('crash');
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
      await done();
    }
  }, 240_000);
});
