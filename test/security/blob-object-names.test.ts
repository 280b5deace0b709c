import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLatticeObjectStores } from '../../host/lattice/index.ts';
import { bucketNameOf, fileBlobBackend, fileNameOf, nameOfFile, natsBlobBackend, type BlobBackend } from '../../providers/blobstore/index.ts';
import { startNatsServer } from '../fixtures/nats-server.ts';

let root: string;
let store: BlobBackend;

beforeEach(async () => {
  // The store lives one level down, so that a name that escaped would land in `root`, where the test looks.
  root = await mkdtemp(join(tmpdir(), 'badger-blob-escape-'));
  store = await fileBlobBackend(join(root, 'store'), { maxObjectBytes: 1024 });
});
afterEach(() => rm(root, { recursive: true, force: true }));

const ESCAPES = ['../outside', '../../outside', '..', '.', '/etc/passwd', 'a/../../outside', 'nul\u0000byte', '.container', '.tmp-0123456789abcdef', '%2E%2E', '..%2foutside'];

describe('blob names chosen by a guest', () => {
  it('stay inside their container, each as a file of its own, and list back unchanged', async () => {
    const blobs = await store.createContainer('blobs');
    for (const [i, name] of ESCAPES.entries()) await blobs.write(name, new Uint8Array([i]));
    expect(await readdir(root)).toEqual(['store']);
    expect(await readdir(join(root, 'store'))).toEqual(['blobs']);
    expect(await blobs.list()).toEqual([...ESCAPES].sort());
    for (const [i, name] of ESCAPES.entries()) expect([...(await blobs.read(name, 0n, 0n))]).toEqual([i]);
    // The store's own file was not taken over by the object named ".container".
    expect(await blobs.createdAt()).toBeGreaterThan(0n);
  });

  it('as container names stay inside the store too', async () => {
    for (const name of ESCAPES) await (await store.createContainer(name)).write('x', new Uint8Array([1]));
    expect(await readdir(root)).toEqual(['store']);
    for (const name of ESCAPES) expect(await store.containerExists(name)).toBe(true);
  });

  it('map to file names with no separator, no NUL, never . or .. and never a leading dot, one to one', () => {
    for (const name of [...ESCAPES, 'ü/é', 'a.b', 'a..b', '🦡']) {
      const fileName = fileNameOf(name, 'object');
      expect(fileName).toMatch(/^[A-Za-z0-9_%-][A-Za-z0-9_.%-]*$/);
      expect(fileName).not.toContain('..');
      expect(dirname(join('/container', fileName))).toBe('/container');
      expect(nameOfFile(fileName)).toBe(name);
    }
    // Plain names are their own file names; a plain name too long for one file is still refused.
    for (const name of ['notes', 'a.b', 'a.', 'v1.2.3-rc_1', 'x'.repeat(255)]) expect(fileNameOf(name, 'object')).toBe(name);
    expect(() => fileNameOf('x'.repeat(256), 'object')).toThrow(/too long/);
  });

  it('as NATS object stores, are stores of their own with names JetStream takes, no two containers sharing one', async () => {
    const names = [...ESCAPES, 'a_b', 'a_5Fb', 'a.b', 'a*b', 'a>b', '🦡', 'OBJ_x'];
    const buckets = names.map((name) => bucketNameOf(name));
    for (const bucket of buckets) expect(bucket).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(new Set(buckets).size).toBe(names.length);

    // Against a real server: subject wildcards and dots in a guest's names reach no other store.
    const nats = await startNatsServer();
    const backend = natsBlobBackend(await openLatticeObjectStores(nats.url));
    try {
      for (const [i, name] of names.entries()) await (await backend.createContainer(name)).write(name, new Uint8Array([i]));
      for (const [i, name] of names.entries()) {
        const container = await backend.container(name);
        expect(await container.list()).toEqual([name]);
        expect([...(await container.read(name, 0n, 0n))]).toEqual([i]);
      }
    } finally {
      await backend.close?.();
      await nats.stop();
    }
  });
});
