import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Link } from '../../host/index.ts';
import { blobstoreContract, blobstoreProvider } from '../../providers/blobstore/index.ts';

// A peer on the lattice sends a provider RPC with arguments of its own making: they reach the
// contract's dispatch, as from an actor's thread, and must be refused there, before any store.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'badger-blob-rpc-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('blobstore calls whose arguments do not fit the WIT', () => {
  it('are refused with the function and the argument named, and write nothing', async () => {
    const provider = blobstoreProvider({ fileRoot: dir });
    const link: Link = { source: 'MACTOR', interface: 'wasi:blobstore/container', target: provider.id, name: 'default', config: { backend: 'file', path: join(dir, 'store') } };
    const dispatch = (operation: string, args: unknown[]) => blobstoreContract.dispatch(provider.blobstore as never, 'wasi:blobstore/container', operation, args, link);
    await expect(dispatch('write-data', ['c', 'o', 'not bytes'])).rejects.toThrow('wasi:blobstore/container#write-data: argument 3 is not a bytes');
    await expect(dispatch('write-data', ['c', 'o'])).rejects.toThrow('takes 3 argument(s), not 2');
    await expect(dispatch('get-data', ['c', 'o', -1n, 10n])).rejects.toThrow('argument 3 is not a u64');
    await expect(dispatch('get-data', ['c', { toString: () => '..' }, 0n, 10n])).rejects.toThrow('argument 2 is not a string');
    await expect(dispatch('delete-objects', ['c', ['a', 7]])).rejects.toThrow('argument 2 is not a strings');
    await expect(blobstoreContract.dispatch(provider.blobstore as never, 'wasi:blobstore/blobstore', 'copy-object', [{ container: 'c' }, { container: 'd', object: 'o' }], link)).rejects.toThrow('argument 1 is not a object-id');
    expect(blobstoreContract.dispatch(provider.blobstore as never, 'wasi:blobstore/container', 'no-such-function', [], link)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });
});
