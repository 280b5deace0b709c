import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLatticeObjectStores } from '../../../host/lattice/index.ts';
import { fileBlobBackend, natsBlobBackend, type BlobBackend } from '../../../providers/blobstore/index.ts';
import { startNatsServer, type RunningNats } from '../../fixtures/nats-server.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array) => new TextDecoder().decode(value);

/** Each backend, fresh for each test: a new directory, or a new nats-server with JetStream on loopback. */
const BACKENDS: [string, () => Promise<{ store: BlobBackend; done(): Promise<void> }>][] = [
  [
    'file',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'badger-blobs-'));
      return { store: await fileBlobBackend(dir, { maxObjectBytes: 1024 * 1024 }), done: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'nats',
    async () => {
      const nats: RunningNats = await startNatsServer();
      const store = natsBlobBackend(await openLatticeObjectStores(nats.url));
      return {
        store,
        async done() {
          await store.close?.();
          await nats.stop();
        },
      };
    },
  ],
];

describe.each(BACKENDS)('the %s blob store', (_name, open) => {
  let store: BlobBackend;
  let done: () => Promise<void>;

  beforeEach(async () => {
    ({ store, done } = await open());
  });
  afterEach(() => done());

  it('keeps containers and their objects, and lists exactly the names written', async () => {
    const notes = await store.createContainer('notes');
    await notes.write('b/second.txt', bytes('two'));
    await notes.write('a first note', bytes('one'));
    expect(await notes.list()).toEqual(['a first note', 'b/second.txt']);
    expect(text(await notes.read('b/second.txt', 0n, 100n))).toBe('two');
    expect(text(await notes.read('a first note', 1n, 1n))).toBe('n');
    expect(await notes.has('a first note')).toBe(true);
    expect(await notes.info('b/second.txt')).toMatchObject({ name: 'b/second.txt', container: 'notes', size: 3n });
    expect(await notes.createdAt()).toBeGreaterThan(0n);
    expect(await store.containerExists('notes')).toBe(true);
    expect((await store.container('notes')).name).toBe('notes');
  });

  it('writes an object from a stream of chunks, replacing the old one whole', async () => {
    const blobs = await store.createContainer('blobs');
    await blobs.write('x', bytes('old'));
    async function* chunks() {
      for (let i = 0; i < 64; i++) yield new Uint8Array(1024).fill(i);
    }
    await blobs.write('x', chunks());
    const read = await blobs.read('x', 0n, 1n << 40n);
    expect(read.length).toBe(64 * 1024);
    expect(read[63 * 1024]).toBe(63);
  });

  it('answers a missing object, a missing container and a bad range with errors that name them', async () => {
    const notes = await store.createContainer('notes');
    await expect(notes.read('nowhere', 0n, 1n)).rejects.toMatchObject({ code: 'BLOB_NO_SUCH_OBJECT', message: expect.stringContaining('"nowhere"') });
    await expect(notes.info('nowhere')).rejects.toMatchObject({ code: 'BLOB_NO_SUCH_OBJECT' });
    await expect(store.container('gone')).rejects.toMatchObject({ code: 'BLOB_NO_SUCH_CONTAINER', message: expect.stringContaining('"gone"') });
    await expect(store.createContainer('notes')).rejects.toMatchObject({ code: 'BLOB_CONTAINER_EXISTS' });
    await notes.write('n', bytes('abc'));
    await expect(notes.read('n', 2n, 1n)).rejects.toMatchObject({ code: 'BLOB_BAD_RANGE' });
    expect((await notes.read('n', 5n, 9n)).length).toBe(0);
    await expect(notes.write('', bytes('x'))).rejects.toMatchObject({ code: 'BLOB_BAD_NAME' });
  });

  it('deletes objects, clears a container and deletes it', async () => {
    const blobs = await store.createContainer('blobs');
    await blobs.write('a', bytes('1'));
    await blobs.write('b', bytes('2'));
    await blobs.delete('a');
    expect(await blobs.list()).toEqual(['b']);
    await blobs.clear();
    expect(await blobs.list()).toEqual([]);
    await store.deleteContainer('blobs');
    expect(await store.containerExists('blobs')).toBe(false);
  });
});
