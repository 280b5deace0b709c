import { WitError } from '../../host/index.ts';

export type BackendKind = 'memory' | 'file' | 'nats';

/** What a link's config says about its store, checked and with defaults. */
export interface StoreLinkConfig {
  readonly backend: BackendKind;
  /** Where: a directory for `file`, a server URL for `nats`; absent for `memory`. */
  readonly location?: string;
  /** The actor's bucket identifiers (what it passes to `open`) → physical bucket names. */
  readonly buckets: ReadonlyMap<string, string>;
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  /** nats only: how many copies JetStream keeps of a bucket it makes (a cluster's servers). */
  readonly replicas?: number;
}

export const DEFAULT_MAX_KEY_BYTES = 1024;
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
const BUCKET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const other = (message: string) => new WitError({ tag: 'other', val: message });

/**
 * Reads a link's config:
 * - `backend`: memory (default), file or nats;
 * - `path` (file) or `url` (nats);
 * - `bucket=<name>` maps the identifier "default"; `bucket.<identifier>=<name>` maps any other.
 *   An actor reaches only the buckets its link names; with none named it gets one of its own,
 *   `<actor id>-default`, so two unconfigured actors never share data;
 * - `max-key-bytes`, `max-value-bytes`;
 * - `replicas` (nats): copies of a bucket this link makes, 1 to 5; an existing one with another count is refused.
 */
export function parseStoreLinkConfig(config: Readonly<Record<string, string>>, source: string, defaultFileRoot?: string): StoreLinkConfig {
  const backend = (config.backend ?? 'memory') as BackendKind;
  if (!['memory', 'file', 'nats'].includes(backend)) throw other(`link config backend="${config.backend}": use memory, file or nats`);
  const buckets = new Map<string, string>();
  for (const [key, value] of Object.entries(config)) {
    const identifier = key === 'bucket' ? 'default' : key.startsWith('bucket.') ? key.slice('bucket.'.length) : undefined;
    if (identifier === undefined) continue;
    if (!BUCKET_NAME.test(value)) throw other(`link config ${key}="${value}": a bucket name is 1 to 64 letters, digits, _ or -`);
    buckets.set(identifier, value);
  }
  if (buckets.size === 0) buckets.set('default', `${source.slice(0, 56)}-default`);
  const location = backend === 'file' ? config.path ?? defaultFileRoot : backend === 'nats' ? config.url ?? 'nats://127.0.0.1:4222' : undefined;
  if (backend === 'file' && !location) throw other('link config backend="file" needs path=<directory>');
  if (config.replicas !== undefined && backend !== 'nats') throw other(`link config replicas="${config.replicas}" is for backend=nats: a ${backend} store keeps one copy`);
  const replicas = config.replicas === undefined ? undefined : positiveInteger(config, 'replicas', 1);
  if (replicas !== undefined && replicas > 5) throw other(`link config replicas="${config.replicas}": JetStream keeps 1 to 5 replicas`);
  return {
    backend,
    ...(location === undefined ? {} : { location }),
    buckets,
    maxKeyBytes: positiveInteger(config, 'max-key-bytes', DEFAULT_MAX_KEY_BYTES),
    maxValueBytes: positiveInteger(config, 'max-value-bytes', DEFAULT_MAX_VALUE_BYTES),
    ...(replicas === undefined ? {} : { replicas }),
  };
}

function positiveInteger(config: Readonly<Record<string, string>>, key: string, fallback: number): number {
  const text = config[key];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw other(`link config ${key}="${text}" is not a positive whole number`);
  return value;
}

/** The physical bucket for an identifier, or the WIT `no-such-store` error. */
export function physicalBucket(config: StoreLinkConfig, identifier: string): string {
  const physical = config.buckets.get(identifier);
  if (!physical) throw new WitError({ tag: 'no-such-store' });
  return physical;
}

export function checkKey(config: StoreLinkConfig, key: string): void {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes === 0) throw other('a key cannot be empty');
  if (bytes > config.maxKeyBytes) throw other(`the key is ${bytes} bytes; the limit is ${config.maxKeyBytes}`);
}

export function checkValue(config: StoreLinkConfig, value: Uint8Array): void {
  if (value.length > config.maxValueBytes) throw other(`the value is ${value.length} bytes; the limit is ${config.maxValueBytes}`);
}
