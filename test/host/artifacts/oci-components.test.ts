import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../../host/artifacts/oci-blobs.ts';
import { OCI_MANIFEST_MEDIA_TYPE, pullComponent, pushComponent, wasmLayerOf, WASMCLOUD_CONFIG_MEDIA_TYPE, WASMCLOUD_LAYER_MEDIA_TYPE } from '../../../host/artifacts/oci-components.ts';
import { parseOciReference, registryBaseUrl } from '../../../host/artifacts/oci-reference.ts';
import { RegistryClient } from '../../../host/artifacts/registry-client.ts';
import { builtActor } from '../../actors/built-actors.ts';
import { startRegistry, type RunningRegistry } from '../../fixtures/oci-registry.ts';

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(() => registry.stop());

const access = () => new RegistryClient(registryBaseUrl(registry.registry, false));
const ref = (rest: string) => parseOciReference(`oci://${registry.registry}/${rest}`);

describe('components in a real OCI registry', () => {
  it("push with wasmCloud's media types, and pull back by tag and by digest; a tag that moves resolves anew", async () => {
    const component = new Uint8Array(await readFile(builtActor('hello-wat')));
    const digest = await pushComponent(access(), ref('badger/hello-wat:0.1.0'), component);
    const byTag = await pullComponent(access(), ref('badger/hello-wat:0.1.0'), 1024 * 1024);
    expect(byTag).toEqual({ bytes: component, manifestDigest: digest, layerDigest: sha256Digest(component), cached: false });
    expect(await pullComponent(access(), ref(`badger/hello-wat@${digest}`), 1024 * 1024)).toEqual(byTag);

    const manifest = await fetch(`${access().baseUrl}/v2/badger/hello-wat/manifests/${digest}`, { headers: { accept: OCI_MANIFEST_MEDIA_TYPE } }).then((response) => response.json());
    expect(manifest).toMatchObject({ schemaVersion: 2, mediaType: OCI_MANIFEST_MEDIA_TYPE, config: { mediaType: WASMCLOUD_CONFIG_MEDIA_TYPE, size: 2 }, layers: [{ mediaType: WASMCLOUD_LAYER_MEDIA_TYPE, digest: sha256Digest(component), size: component.length }] });

    const other = new Uint8Array(await readFile(builtActor('blob-wat')));
    const moved = await pushComponent(access(), ref('badger/hello-wat:0.1.0'), other);
    expect(moved).not.toBe(digest);
    expect(await pullComponent(access(), ref('badger/hello-wat:0.1.0'), 1024 * 1024)).toEqual({ bytes: other, manifestDigest: moved, layerDigest: sha256Digest(other), cached: false });
    // A layer already held is not fetched again: the holder's bytes are used.
    const held = await pullComponent(access(), ref('badger/hello-wat:0.1.0'), 1024 * 1024, { cached: async (layer) => (layer === sha256Digest(other) ? other : undefined) });
    expect(held).toMatchObject({ manifestDigest: moved, cached: true });
  });

  it("refuses a manifest that does not hash to the digest asked for, after its bytes were changed in the registry's storage", async () => {
    const digest = await pushComponent(access(), ref('badger/tampered:1'), new Uint8Array(await readFile(builtActor('hello-wat'))));
    const hex = digest.slice('sha256:'.length);
    const stored = join(registry.storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const text = (await readFile(stored, 'utf8')).replace('"schemaVersion":2', '"schemaVersion": 2');
    await writeFile(stored, text);
    await expect(pullComponent(access(), ref(`badger/tampered@${digest}`), 1024 * 1024)).rejects.toMatchObject({ code: 'ARTIFACT_DIGEST_MISMATCH' });
  });

  it('refuses a component over the limit by its manifest, before reading it, and a reference the registry lacks with its answer', async () => {
    await pushComponent(access(), ref('badger/sized:1'), new Uint8Array(5000));
    await expect(pullComponent(access(), ref('badger/sized:1'), 4999)).rejects.toMatchObject({ code: 'ARTIFACT_TOO_LARGE', message: expect.stringContaining('its manifest says 5000') });
    await expect(pullComponent(access(), ref('badger/none:1'), 4999)).rejects.toMatchObject({ code: 'ARTIFACT_REGISTRY_REFUSED', message: expect.stringMatching(/answered 404.*NAME_UNKNOWN|MANIFEST_UNKNOWN/) });
  });
});

describe('the Wasm layer of a manifest', () => {
  const layer = { mediaType: WASMCLOUD_LAYER_MEDIA_TYPE, digest: `sha256:${'a'.repeat(64)}`, size: 10 };
  const manifest = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  it("is the one layer of wasmCloud's or the CNCF Wasm artifact's type, checked", () => {
    expect(wasmLayerOf(manifest({ layers: [layer] }), 'x')).toEqual(layer);
    expect(wasmLayerOf(manifest({ layers: [{ ...layer, mediaType: 'application/wasm' }] }), 'x')).toEqual({ ...layer, mediaType: 'application/wasm' });
    expect(() => wasmLayerOf(manifest({ layers: [layer, layer] }), 'x')).toThrow(/has 2 Wasm layers/);
    expect(() => wasmLayerOf(manifest({ layers: [{ ...layer, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }] }), 'x')).toThrow(/its layers: application\/vnd.oci.image.layer.v1.tar\+gzip/);
    expect(() => wasmLayerOf(manifest({ layers: [{ ...layer, digest: 'sha256:../../etc' }] }), 'x')).toThrow(/no sha256 digest/);
    expect(() => wasmLayerOf(new TextEncoder().encode('not json'), 'x')).toThrow(expect.objectContaining({ code: 'ARTIFACT_NOT_A_COMPONENT' }));
  });
});
