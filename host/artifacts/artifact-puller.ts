import { join } from 'node:path';
import { HostError } from '../errors.ts';
import { DigestCache } from './digest-cache.ts';
import { isLatticeReference, parseLatticeReference } from './lattice-reference.ts';
import { sha256Digest } from './oci-blobs.ts';
import { pullComponent } from './oci-components.ts';
import { formatOciReference, isOciReference, parseOciReference, registryBaseUrl } from './oci-reference.ts';
import { RegistryClient, type RegistryCredentials } from './registry-client.ts';
import { registryCredentials } from './registry-credentials.ts';
import { DEFAULT_FETCH_TIMEOUTS, type FetchProgress, type FetchTimeouts } from './timed-fetch.ts';

/** An artifact in the lattice's store, as `badger artifacts list` shows it. */
export interface LatticeArtifact {
  /** `name:version`. */
  readonly name: string;
  readonly digest: string;
  readonly size: number;
  readonly modifiedAt: string;
}

/** The lattice's artifact store: the port its NATS side (host/lattice/artifact-store.ts) fills. */
export interface LatticeArtifacts {
  put(name: string, bytes: Uint8Array): Promise<LatticeArtifact>;
  info(name: string): Promise<LatticeArtifact | undefined>;
  /** Its bytes; refused (`ARTIFACT_TOO_LARGE`) when the object is over `maxBytes`, before they are read. */
  get(name: string, maxBytes: number): Promise<Uint8Array | undefined>;
  list(): Promise<LatticeArtifact[]>;
  /** False when there was no such artifact. */
  remove(name: string): Promise<boolean>;
}

/** A reference pulled rather than read: `oci://…` or `lattice://…`. */
export const isPulledReference = (location: string) => isOciReference(location) || isLatticeReference(location);

export interface PulledArtifact {
  readonly bytes: Uint8Array;
  /** The component's own digest. */
  readonly digest: string;
  /** What the reference resolved to (the manifest's digest, or the lattice object's). */
  readonly resolved: string;
  /** True when the bytes came from the cache under BADGER_HOME, not over the network. */
  readonly cached: boolean;
  /** What the reference resolved to at its last pull, when that was another: its tag moved. */
  readonly movedFrom?: string;
}

export interface ArtifactPullerOptions {
  /** BADGER_HOME: the cache is its `artifacts` directory. */
  readonly home: string;
  readonly maxBytes: number;
  readonly timeouts?: FetchTimeouts;
  /** Registries (`host[:port]`) reached over plain HTTP although not on loopback (`--insecure`). */
  readonly insecureRegistries?: readonly string[];
  /** Every registry's credentials: by default --user/--password's precedence over the env and ~/.docker/config.json. */
  readonly credentials?: (registry: string) => Promise<RegistryCredentials | undefined>;
  /** The lattice's store, when this process is on a lattice. */
  readonly latticeArtifacts?: () => LatticeArtifacts | undefined;
}

/**
 * Pulls `oci://` and `lattice://` references into the digest cache under BADGER_HOME, and gives
 * their bytes checked against their digest. A reference by digest that is cached needs no network;
 * a tag is resolved each time, so that a tag moved since the last pull is noticed (`movedFrom`).
 */
export class ArtifactPuller {
  readonly #options: ArtifactPullerOptions;
  readonly #cache: DigestCache;
  readonly #clients = new Map<string, RegistryClient>();

  constructor(options: ArtifactPullerOptions) {
    this.#options = options;
    this.#cache = new DigestCache(join(options.home, 'artifacts'));
  }

  pull(location: string, progress?: FetchProgress): Promise<PulledArtifact> {
    return isLatticeReference(location) ? this.#pullFromLattice(location) : this.#pullFromRegistry(location, progress);
  }

  /** The client of `registry`, with its credentials and --insecure: a bearer token is kept for the next pull. */
  async client(registry: string, insecure = this.#options.insecureRegistries?.includes(registry) ?? false): Promise<RegistryClient> {
    let client = this.#clients.get(registry);
    if (!client) {
      const credentials = await (this.#options.credentials ?? registryCredentials)(registry);
      client = new RegistryClient(registryBaseUrl(registry, insecure), { ...(credentials ? { credentials } : {}), insecure, timeouts: this.#options.timeouts ?? DEFAULT_FETCH_TIMEOUTS });
      this.#clients.set(registry, client);
    }
    return client;
  }

  async #pullFromRegistry(location: string, progress: FetchProgress | undefined): Promise<PulledArtifact> {
    const reference = parseOciReference(location);
    const named = formatOciReference(reference);
    const known = await this.#cache.resolution(named);
    // A digest names one manifest for ever: held, it is not asked for again.
    if (reference.digest && known) {
      const bytes = await this.#cache.get(known.component);
      if (bytes) return { bytes, digest: known.component, resolved: known.resolved, cached: true };
    }
    const client = await this.client(reference.registry);
    const pulled = await pullComponent(client, reference, this.#options.maxBytes, { cached: (digest) => this.#cache.get(digest), ...(progress ? { progress } : {}) });
    if (!pulled.cached) await this.#cache.put(pulled.layerDigest, pulled.bytes);
    const resolution = { resolved: pulled.manifestDigest, component: pulled.layerDigest, pulledAt: new Date().toISOString() };
    // The digest a tag resolved to is a reference too: pulled by it later, it needs no registry.
    const pinned = reference.digest ? [] : [formatOciReference({ registry: reference.registry, repository: reference.repository, digest: pulled.manifestDigest })];
    const before = await this.#cache.remember([named, ...pinned], resolution);
    return { bytes: pulled.bytes, digest: pulled.layerDigest, resolved: pulled.manifestDigest, cached: pulled.cached, ...(before ? { movedFrom: before.resolved } : {}) };
  }

  async #pullFromLattice(location: string): Promise<PulledArtifact> {
    const name = parseLatticeReference(location);
    const named = `lattice://${name}`;
    const store = this.#options.latticeArtifacts?.();
    if (!store) throw new HostError('ARTIFACT_UNREADABLE', `${named}: this host is in no lattice, so it has no lattice store to pull from: start it with --nats or --leaf-remote`);
    const { maxBytes } = this.#options;
    const totalMs = (this.#options.timeouts ?? DEFAULT_FETCH_TIMEOUTS).totalMs;
    return withinMs(totalMs, `${named}: the lattice store took over ${totalMs} ms`, async () => {
      const info = await store.info(name);
      if (!info) throw new HostError('ARTIFACT_NOT_FOUND', `${named}: the lattice store has no such artifact (badger artifacts list shows what it has; badger push <file.wasm> ${name} puts it there)`);
      if (info.size > maxBytes) throw new HostError('ARTIFACT_TOO_LARGE', `${named} is larger than the ${maxBytes}-byte limit for a component (the store says ${info.size})`);
      let bytes = await this.#cache.get(info.digest);
      const cached = bytes !== undefined;
      if (!bytes) {
        bytes = await store.get(name, maxBytes);
        if (!bytes) throw new HostError('ARTIFACT_UNREADABLE', `${named} was removed from the lattice store while it was pulled`);
        const actual = sha256Digest(bytes);
        if (actual !== info.digest) throw new HostError('ARTIFACT_DIGEST_MISMATCH', `${named}: the store served bytes whose digest is ${actual}, not ${info.digest} (replaced while pulled? pull again)`);
        await this.#cache.put(info.digest, bytes);
      }
      const before = await this.#cache.remember([named], { resolved: info.digest, component: info.digest, pulledAt: new Date().toISOString() });
      return { bytes, digest: info.digest, resolved: info.digest, cached, ...(before ? { movedFrom: before.resolved } : {}) };
    });
  }
}

async function withinMs<T>(ms: number, why: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new HostError('ARTIFACT_FETCH_TIMEOUT', why)), ms);
  });
  try {
    return await Promise.race([work(), expired]);
  } finally {
    clearTimeout(timer);
  }
}
