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

describe('file blob store, beyond what every backend does (backends.test.ts)', () => {
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

});
