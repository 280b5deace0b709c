import { HostError } from '../errors.ts';
import { fetchBlob, pushBlob, sha256Digest } from './oci-blobs.ts';
import { formatOciReference, type OciReference } from './oci-reference.ts';
import { refused, type RegistryClient } from './registry-client.ts';
import type { FetchProgress } from './timed-fetch.ts';

// The media types `wash push` gives a component, so that each side pulls what the other pushed.
export const WASMCLOUD_CONFIG_MEDIA_TYPE = 'application/vnd.wasmcloud.actor.archive.config';
export const WASMCLOUD_LAYER_MEDIA_TYPE = 'application/vnd.module.wasm.content.layer.v1+wasm';
/** The CNCF Wasm OCI artifact's layer, which newer tools push: pulled too. */
export const CNCF_WASM_LAYER_MEDIA_TYPE = 'application/wasm';
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const PULLED_LAYER_TYPES = new Set([WASMCLOUD_LAYER_MEDIA_TYPE, CNCF_WASM_LAYER_MEDIA_TYPE]);
/** A manifest is a few hundred bytes; more is not one. */
const MAX_MANIFEST_BYTES = 64 * 1024;
/** wash's config blob for a component says nothing more. */
const EMPTY_CONFIG = new TextEncoder().encode('{}');

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

/** Pushes a component: its config and its Wasm layer, then the manifest under the reference's tag. The manifest's digest. */
export async function pushComponent(client: RegistryClient, reference: OciReference, component: Uint8Array): Promise<string> {
  if (reference.tag === undefined) throw new HostError('ARTIFACT_BAD_REFERENCE', `${formatOciReference(reference)}: a push needs a tag to put the artifact under`);
  const config: Descriptor = { mediaType: WASMCLOUD_CONFIG_MEDIA_TYPE, digest: await pushBlob(client, reference.repository, EMPTY_CONFIG), size: EMPTY_CONFIG.length };
  const layer: Descriptor = { mediaType: WASMCLOUD_LAYER_MEDIA_TYPE, digest: await pushBlob(client, reference.repository, component), size: component.length };
  const manifest = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST_MEDIA_TYPE, config, layers: [layer] }));
  const what = `pushing the manifest of ${formatOciReference(reference)}`;
  const put = await client.send(`/v2/${reference.repository}/manifests/${reference.tag}`, { method: 'PUT', headers: { 'content-type': OCI_MANIFEST_MEDIA_TYPE }, body: manifest }, what);
  if (put.response.status !== 201) throw await refused(what, put);
  put.discard();
  return sha256Digest(manifest);
}

export interface PulledComponent {
  readonly bytes: Uint8Array;
  /** What the reference resolved to: a tag that moves since resolves to another. */
  readonly manifestDigest: string;
  /** The component's own digest (its layer's): what the cache keeps it under. */
  readonly layerDigest: string;
  /** True when the bytes came from `cached`, not from the registry. */
  readonly cached: boolean;
}

export interface PullOptions {
  /** The bytes of a layer digest already held (checked against it by the holder), if any. */
  readonly cached?: (digest: string) => Promise<Uint8Array | undefined>;
  readonly progress?: FetchProgress;
}

/**
 * Pulls a component by tag or digest. A reference with a digest gets exactly the manifest that
 * hashes to it; the layer is checked against the manifest's digest for it, and its size against
 * `maxBytes` before a byte of it is read.
 */
export async function pullComponent(client: RegistryClient, reference: OciReference, maxBytes: number, options: PullOptions = {}): Promise<PulledComponent> {
  const { manifestDigest, layer } = await resolveComponent(client, reference, maxBytes);
  const cached = await options.cached?.(layer.digest);
  if (cached) return { bytes: cached, manifestDigest, layerDigest: layer.digest, cached: true };
  return { bytes: await fetchBlob(client, reference.repository, layer.digest, maxBytes, options.progress), manifestDigest, layerDigest: layer.digest, cached: false };
}

/** What a reference resolves to now: its manifest's digest, and the Wasm layer it names. */
export async function resolveComponent(client: RegistryClient, reference: OciReference, maxBytes: number): Promise<{ manifestDigest: string; layer: Descriptor }> {
  const named = formatOciReference(reference);
  const answer = await client.send(`/v2/${reference.repository}/manifests/${reference.digest ?? reference.tag}`, {
    headers: { accept: `${OCI_MANIFEST_MEDIA_TYPE}, application/vnd.docker.distribution.manifest.v2+json` },
  }, `pulling ${named}`);
  if (answer.response.status !== 200) throw await refused(`pulling ${named}`, answer);
  const manifestBytes = await answer.body(MAX_MANIFEST_BYTES, `the manifest of ${named}`);
  const manifestDigest = sha256Digest(manifestBytes);
  if (reference.digest !== undefined && manifestDigest !== reference.digest) {
    throw new HostError('ARTIFACT_DIGEST_MISMATCH', `${named}: the registry served a manifest whose digest is ${manifestDigest}`);
  }
  const layer = wasmLayerOf(manifestBytes, named);
  if (layer.size > maxBytes) throw new HostError('ARTIFACT_TOO_LARGE', `${named} is larger than the ${maxBytes}-byte limit for a component (its manifest says ${layer.size})`);
  return { manifestDigest, layer };
}

/** Pure: the one Wasm layer of a manifest. */
export function wasmLayerOf(manifestBytes: Uint8Array, named: string): Descriptor {
  let manifest: { layers?: unknown };
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes)) as { layers?: unknown };
  } catch {
    throw new HostError('ARTIFACT_NOT_A_COMPONENT', `${named}: its manifest is not JSON`);
  }
  const layers = Array.isArray(manifest.layers) ? (manifest.layers as Partial<Descriptor>[]) : [];
  const wasm = layers.filter((layer) => typeof layer?.mediaType === 'string' && PULLED_LAYER_TYPES.has(layer.mediaType));
  if (wasm.length !== 1) {
    const types = layers.map((layer) => String(layer?.mediaType)).join(', ') || 'none';
    throw new HostError('ARTIFACT_NOT_A_COMPONENT', `${named} has ${wasm.length} Wasm layers (${[...PULLED_LAYER_TYPES].join(' or ')}), not one; its layers: ${types}`);
  }
  const [layer] = wasm;
  if (typeof layer!.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(layer!.digest) || !Number.isSafeInteger(layer!.size) || layer!.size! < 0) {
    throw new HostError('ARTIFACT_NOT_A_COMPONENT', `${named}: its Wasm layer has no sha256 digest or size`);
  }
  return layer as Descriptor;
}
