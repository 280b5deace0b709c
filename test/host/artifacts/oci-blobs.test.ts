import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBlob, pushBlob, sha256Digest } from '../../../host/artifacts/oci-blobs.ts';
import { registryBaseUrl } from '../../../host/artifacts/oci-reference.ts';
import { RegistryClient } from '../../../host/artifacts/registry-client.ts';
import { startRegistry, type RunningRegistry } from '../../fixtures/oci-registry.ts';

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(() => registry.stop());

const access = () => new RegistryClient(registryBaseUrl(registry.registry, false));
const bytes = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * seed) % 251);

describe('OCI blobs, against a real registry (CNCF distribution)', () => {
  it('pushes a blob once, and pulls it back by its digest', async () => {
    const blob = bytes(2 * 1024 * 1024 + 3, 7);
    const digest = await pushBlob(access(), 'badger/blobs', blob);
    expect(digest).toBe(sha256Digest(blob));
    // Pushed again: the registry has it, so nothing is uploaded, and the digest is the same.
    expect(await pushBlob(access(), 'badger/blobs', blob)).toBe(digest);
    // Compared as buffers: an element-by-element comparison of 2 MiB takes seconds.
    expect(Buffer.from(await fetchBlob(access(), 'badger/blobs', digest, 4 * 1024 * 1024)).equals(blob)).toBe(true);
  });

  it('refuses a blob whose bytes were changed in the registry\'s storage, by its digest', async () => {
    const blob = bytes(4096, 13);
    const digest = await pushBlob(access(), 'badger/tampered', blob);
    const hex = digest.slice('sha256:'.length);
    const stored = join(registry.storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const tampered = await readFile(stored);
    tampered[100] = tampered[100]! ^ 0xff;
    await writeFile(stored, tampered);
    await expect(fetchBlob(access(), 'badger/tampered', digest, 1024 * 1024)).rejects.toMatchObject({ code: 'ARTIFACT_DIGEST_MISMATCH', message: expect.stringContaining(`badger/tampered@${digest}`) });
  });

  it('refuses a blob over the size limit, and names what the registry said of one it lacks', async () => {
    const digest = await pushBlob(access(), 'badger/big', bytes(10_000, 3));
    await expect(fetchBlob(access(), 'badger/big', digest, 9_999)).rejects.toMatchObject({ code: 'ARTIFACT_TOO_LARGE' });
    const missing = sha256Digest(new Uint8Array([1, 2, 3]));
    await expect(fetchBlob(access(), 'badger/big', missing, 9_999)).rejects.toMatchObject({ code: 'ARTIFACT_REGISTRY_REFUSED', message: expect.stringMatching(/answered 404 .*BLOB_UNKNOWN/) });
  });
});
