import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileBlobBackend, type BlobBackend } from '../../../providers/blobstore/index.ts';

let dir: string;
let store: BlobBackend;
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array) => new TextDecoder().decode(value);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'badger-blobs-'));
  store = await fileBlobBackend(dir, { maxObjectBytes: 1024 * 1024 });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('file blob store', () => {
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

  it('refuses an object over the limit and keeps nothing of it, not even its temporary file', async () => {
    const small = await fileBlobBackend(dir, { maxObjectBytes: 10 });
    const blobs = await small.createContainer('small');
    await blobs.write('kept', bytes('0123456789'));
    await expect(blobs.write('kept', bytes('0123456789A'))).rejects.toMatchObject({ code: 'BLOB_TOO_LARGE', message: expect.stringContaining('"kept"') });
    expect(text(await blobs.read('kept', 0n, 99n))).toBe('0123456789');
    expect((await readdir(join(dir, 'small'))).sort()).toEqual(['.container', 'kept']);
  });

  it('never lists a temporary file a killed writer left, nor a file the store did not name', async () => {
    const blobs = await store.createContainer('blobs');
    await blobs.write('real', bytes('1'));
    await writeFile(join(dir, 'blobs', '.tmp-0123456789abcdef'), 'half of an object');
    await writeFile(join(dir, 'blobs', 'a%2fb'), 'a second spelling of a/b');
    expect(await blobs.list()).toEqual(['real']);
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
