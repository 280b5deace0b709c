import { forgetKeptReads, serving, WitError, type LatticeBucketsOpener, type Link, type Provider } from '../../host/index.ts';
import type { Backend, Bucket } from './backend.ts';
import { contract, type KeyValueHandler } from './contract.ts';
import { StoreError } from './errors.ts';
import { fileBackend } from './file-backend.ts';
import { checkKey, checkValue, parseStoreLinkConfig, physicalBucket, type StoreLinkConfig } from './link-config.ts';
import { memoryBackend } from './memory-backend.ts';
import { natsBackend } from './nats-backend.ts';

const PAGE_SIZE = 100;

export interface KeyValueProviderOptions {
  readonly id?: string;
  /** Where `backend=file` links without a `path` keep their data. */
  readonly fileRoot?: string;
  /** How `backend=nats` links reach the lattice's buckets; without it they fail with why. */
  readonly latticeBuckets?: LatticeBucketsOpener;
}

/**
 * The wasi:keyvalue provider. Each link's config picks the backend (memory, file, nats), where it
 * lives, and which buckets the actor may open; backends are opened on first use and shared by
 * every link that names the same place.
 */
export function keyValueProvider(options: KeyValueProviderOptions = {}): Provider & { readonly memory: ReturnType<typeof memoryBackend>; readonly keyvalue: KeyValueHandler } {
  const memory = memoryBackend();
  const backends = new Map<string, Promise<Backend>>([['memory:', Promise.resolve(memory)]]);

  const openNats = async (url: string): Promise<Backend> => {
    if (!options.latticeBuckets) throw new StoreError('KV_NO_LATTICE', 'this key-value provider was started without a way to reach a lattice: start it from badger up, or give it latticeBuckets');
    return natsBackend(await options.latticeBuckets(url));
  };

  const backendFor = (config: StoreLinkConfig): Promise<Backend> => {
    const key = `${config.backend}:${config.location ?? ''}`;
    let backend = backends.get(key);
    if (!backend) {
      backend = config.backend === 'file' ? fileBackend(config.location!) : openNats(config.location!);
      // A failed open (a locked directory, an unreachable server) is retried by the next call.
      backend.catch(() => backends.delete(key));
      backends.set(key, backend);
    }
    return backend;
  };

  // A link never changes (a new put makes a new one), so its parsed config can be kept with it.
  const configs = new WeakMap<Link, StoreLinkConfig>();
  const configOf = (link: Link): StoreLinkConfig => {
    let config = configs.get(link);
    if (!config) {
      config = parseStoreLinkConfig(link.config, link.source, options.fileRoot);
      configs.set(link, config);
    }
    return config;
  };

  const bucketFor = async (identifier: string, link: Link): Promise<{ bucket: Bucket; config: StoreLinkConfig }> => {
    const config = configOf(link);
    const physical = physicalBucket(config, identifier);
    let backend: Backend;
    try {
      backend = await backendFor(config);
    } catch (error) {
      throw new WitError({ tag: 'other', val: `cannot open the ${config.backend} store ${config.location ?? ''}: ${(error as Error).message}` });
    }
    return { bucket: await backend.bucket(physical, config.replicas === undefined ? {} : { replicas: config.replicas }), config };
  };

  const counterErrors = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StoreError && (error.code === 'KV_NOT_A_COUNTER' || error.code === 'KV_COUNTER_OVERFLOW')) throw new WitError({ tag: 'other', val: error.message });
      throw error;
    }
  };

  /**
   * Every write to a memory or file store passes through here (a file store's directory is locked
   * to this process), so actors' threads may keep what its reads answered: each write, once it
   * has settled (applied, or failed), makes them forget, before anyone hears that it is done.
   */
  const writing = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } finally {
      forgetKeptReads();
    }
  };

  const keyvalue: KeyValueHandler = {
    async open(identifier, link) {
      await bucketFor(identifier, link);
    },
    async get(identifier, key, link) {
      const { bucket, config } = await bucketFor(identifier, link);
      checkKey(config, key);
      return bucket.get(key);
    },
    set: (identifier, key, value, link) =>
      writing(async () => {
        const { bucket, config } = await bucketFor(identifier, link);
        checkKey(config, key);
        checkValue(config, value);
        await bucket.set(key, value);
      }),
    delete: (identifier, key, link) =>
      writing(async () => {
        const { bucket, config } = await bucketFor(identifier, link);
        checkKey(config, key);
        await bucket.delete(key);
      }),
    async exists(identifier, key, link) {
      const { bucket, config } = await bucketFor(identifier, link);
      checkKey(config, key);
      return bucket.exists(key);
    },
    async listKeys(identifier, cursor, link) {
      const { bucket } = await bucketFor(identifier, link);
      const page = await bucket.listKeys(Number(cursor ?? 0n), PAGE_SIZE);
      return page.next === undefined ? { keys: page.keys } : { keys: page.keys, cursor: BigInt(page.next) };
    },
    increment: (identifier, key, delta, link) =>
      writing(async () => {
        const { bucket, config } = await bucketFor(identifier, link);
        checkKey(config, key);
        return counterErrors(() => bucket.increment(key, delta));
      }),
  };

  return {
    id: options.id ?? 'keyvalue',
    name: 'key-value store (memory, file, nats)',
    memory,
    keyvalue,
    serves: [serving(contract, keyvalue)],
    // A nats store is written by every host of the lattice: its reads are never kept.
    keepsReads(link) {
      try {
        return configOf(link).backend !== 'nats';
      } catch {
        return false;
      }
    },
    health: () => ({ healthy: true, message: `${backends.size} store(s) open` }),
    async shutdown() {
      for (const backend of backends.values()) await (await backend.catch(() => undefined))?.close();
      backends.clear();
    },
  };
}
