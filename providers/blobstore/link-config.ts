// From the host: what an actor's thread may load (this module runs there too).
import { positiveIntegerSetting, WitError } from '../../host/guest-side.ts';

export type BlobBackendKind = 'file' | 'nats';

/** What a link's config says about its blob store, checked and with defaults. */
export interface BlobLinkConfig {
  readonly backend: BlobBackendKind;
  /** A directory for `file`, a server URL for `nats`. */
  readonly location: string;
  /** Container names the actor uses → the store's own names, as the link maps them. */
  readonly containers: ReadonlyMap<string, string>;
  /** Where the containers the link does not map live: `<prefix><name>`, the actor's own. */
  readonly prefix: string;
  readonly maxObjectBytes: number;
}

export const DEFAULT_MAX_OBJECT_BYTES = 64 * 1024 * 1024;
const KNOWN_KEYS = /^(?:backend|path|url|max-object-bytes|container\..+)$/;

// wasi:blobstore's error is a string: the guest reads this message.
const refuse = (message: string) => new WitError(`blobstore link config: ${message}`);

/**
 * Reads a blobstore link's config:
 * - `backend`: file (default) or nats; `path` (file, default under the host's data directory) or
 *   `url` (nats);
 * - `container.<name>=<store name>` gives the actor an existing container (shared with whoever else
 *   is given it); every other name the actor uses is its own, `<actor id>-<name>` in the store, so
 *   two actors never meet in a container nobody chose to share;
 * - `max-object-bytes` (64 MiB).
 * An unknown key is refused, since a typo would otherwise quietly give the actor a container of its own.
 */
export function parseBlobLinkConfig(config: Readonly<Record<string, string>>, source: string, defaultFileRoot: string): BlobLinkConfig {
  const unknown = Object.keys(config).filter((key) => !KNOWN_KEYS.test(key));
  if (unknown.length > 0) throw refuse(`unknown key ${unknown.join(', ')}; known: backend, path, url, container.<name>, max-object-bytes`);
  const backend = (config.backend ?? 'file') as BlobBackendKind;
  if (backend !== 'file' && backend !== 'nats') throw refuse(`backend="${config.backend}": use file or nats`);
  const containers = new Map<string, string>();
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith('container.')) continue;
    if (value.length === 0) throw refuse(`${key} is empty: name the store's container it stands for`);
    containers.set(key.slice('container.'.length), value);
  }
  return {
    backend,
    location: backend === 'file' ? (config.path ?? defaultFileRoot) : (config.url ?? 'nats://127.0.0.1:4222'),
    containers,
    prefix: `${source.slice(0, 56)}-`,
    maxObjectBytes: positiveIntegerSetting(config, 'max-object-bytes', DEFAULT_MAX_OBJECT_BYTES, refuse),
  };
}

/** The store's name for the container an actor calls `name`. */
export function storeContainerName(config: BlobLinkConfig, name: string): string {
  return config.containers.get(name) ?? `${config.prefix}${name}`;
}
