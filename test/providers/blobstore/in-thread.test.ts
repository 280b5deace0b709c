import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputStream } from '../../../host/guest-side.ts';
import { blobstoreContract, fileBlobBackend, processIdentity, type FilePlacement } from '../../../providers/blobstore/index.ts';

// The guest side of wasi:blobstore, as an actor's thread builds it, with the crossing to the host
// recorded: a file link of this process runs here; any other link crosses.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'badger-blob-in-thread-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

type Guest = {
  'wasi:blobstore/blobstore': Record<string, (...args: unknown[]) => any>;
  'wasi:blobstore/types': { OutgoingValue: { newOutgoingValue(): any; finish(value: unknown): void }; IncomingValue: { incomingValueConsumeSync(value: unknown): Uint8Array } };
};

function guestWith(placement: FilePlacement | undefined) {
  const crossed: string[] = [];
  const guest = blobstoreContract.guestImports((iface, operation) => {
    crossed.push(`${iface}#${operation}`);
    if (operation === 'placement') return placement;
    return operation === 'container-exists' ? false : undefined;
  }) as unknown as Guest;
  return { guest, crossed };
}

const placementAt = (root: string, process = processIdentity()): FilePlacement => ({ process, root, prefix: 'MACTOR-', containers: { shared: 'team-notes' }, maxObjectBytes: 1000 });

function write(guest: Guest, container: any, object: string, bytes: Uint8Array): void {
  const { OutgoingValue } = guest['wasi:blobstore/types'];
  const value = OutgoingValue.newOutgoingValue();
  (value.outgoingValueWriteBody() as OutputStream).blockingWriteAndFlush(bytes);
  container.writeData(object, value);
  OutgoingValue.finish(value);
}

describe('the blobstore guest side', () => {
  it("runs a file link of its own process in the thread, on the layout the provider reads, in the actor's names", async () => {
    const root = join(dir, 'here');
    const { guest, crossed } = guestWith(placementAt(root));
    const blobstore = guest['wasi:blobstore/blobstore'];
    const notes = blobstore.createContainer!('notes');
    write(guest, notes, 'a/b', new TextEncoder().encode('hello'));
    const shared = blobstore.createContainer!('shared');
    write(guest, shared, 'x', new Uint8Array([1, 2, 3]));
    expect(crossed.every((name) => name.endsWith('#placement'))).toBe(true);
    // The provider's own backend sees them, under the store's names.
    const backend = await fileBlobBackend(root, { maxObjectBytes: 1 << 20 });
    expect(new TextDecoder().decode(await (await backend.container('MACTOR-notes')).read('a/b', 0n, 100n))).toBe('hello');
    expect(await (await backend.container('team-notes')).list()).toEqual(['x']);
    expect(guest['wasi:blobstore/types'].IncomingValue.incomingValueConsumeSync(notes.getData('a/b', 1n, 3n))).toEqual(new TextEncoder().encode('ell'));
    expect(() => blobstore.getContainer!('missing')).toThrow(expect.objectContaining({ payload: 'container "missing" does not exist' }));
    expect(() => notes.getData('none', 0n, 1n)).toThrow(expect.objectContaining({ payload: 'object "none" does not exist in container "notes"' }));
    expect(() => write(guest, notes, 'big', new Uint8Array(1001))).toThrow(expect.objectContaining({ payload: expect.stringContaining("over the link's limit of 1000") }));
    expect(notes.hasObject('big')).toBe(false);
  });

  it("sends every call across when the store is another process's, or no file store", () => {
    for (const placement of [placementAt(join(dir, 'elsewhere'), 'another-boot/1'), undefined]) {
      const { guest, crossed } = guestWith(placement);
      guest['wasi:blobstore/blobstore'].createContainer!('notes');
      expect(crossed).toEqual(['wasi:blobstore/blobstore#placement', 'wasi:blobstore/blobstore#create-container']);
    }
  });
});
