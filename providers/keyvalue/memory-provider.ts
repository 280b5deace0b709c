import type { Link, Provider } from '../../host/index.ts';
import { WitError } from '../../host/index.ts';

const PAGE_SIZE = 100;

/**
 * wasi:keyvalue in the host's memory: gone when the host stops. Buckets are created on first
 * open. A link's `bucket` config, if set, renames the bucket the actor asks for, so two actors can
 * share one without agreeing on a name.
 */
export function memoryKeyValueProvider(id = 'keyvalue-memory'): Provider & { readonly buckets: Map<string, Map<string, Uint8Array>> } {
  const buckets = new Map<string, Map<string, Uint8Array>>();
  const bucketOf = (name: string, link: Link) => {
    const physical = link.config.bucket ?? name;
    let bucket = buckets.get(physical);
    if (!bucket) {
      bucket = new Map();
      buckets.set(physical, bucket);
    }
    return bucket;
  };
  return {
    id,
    name: 'memory key-value store',
    buckets,
    keyvalue: {
      async open(name, link) {
        bucketOf(name, link);
      },
      async get(name, key, link) {
        return bucketOf(name, link).get(key);
      },
      async set(name, key, value, link) {
        bucketOf(name, link).set(key, value.slice());
      },
      async delete(name, key, link) {
        bucketOf(name, link).delete(key);
      },
      async exists(name, key, link) {
        return bucketOf(name, link).has(key);
      },
      async listKeys(name, cursor, link) {
        const keys = [...bucketOf(name, link).keys()].sort();
        const start = Number(cursor ?? 0n);
        const page = keys.slice(start, start + PAGE_SIZE);
        return start + PAGE_SIZE < keys.length ? { keys: page, cursor: BigInt(start + PAGE_SIZE) } : { keys: page };
      },
      async increment(name, key, delta, link) {
        const bucket = bucketOf(name, link);
        const current = bucket.get(key);
        const text = current === undefined ? '0' : new TextDecoder().decode(current);
        if (!/^\d+$/.test(text)) throw new WitError({ tag: 'other', val: `${key} holds "${text.slice(0, 40)}", not a number` });
        const next = BigInt(text) + delta;
        bucket.set(key, new TextEncoder().encode(String(next)));
        return next;
      },
    },
    health: () => ({ healthy: true }),
  };
}
