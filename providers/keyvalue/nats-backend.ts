import type { LatticeBucket, LatticeBuckets } from '../../host/index.ts';
import { encodeCounter, parseCounter, type Backend, type Bucket } from './backend.ts';
import { StoreError } from './errors.ts';
import { pageOf } from './memory-backend.ts';

const MAX_INCREMENT_ATTEMPTS = 10_000;

/**
 * Buckets as JetStream KV buckets, so hosts on different machines share state. Keys are stored
 * base64url-encoded: NATS allows few characters in a key, and an actor may use any string.
 * Increment is optimistic: read the entry and its revision, write only if the revision is still
 * the latest, and try again when another writer got there first, so concurrent increments from
 * several hosts lose nothing.
 */
export function natsBackend(lattice: LatticeBuckets): Backend {
  return {
    bucket: async (name, options) => natsBucket(await lattice.bucket(name, options)),
    close: () => lattice.close(),
  };
}

const encodeKey = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
const decodeKey = (stored: string) => Buffer.from(stored, 'base64url').toString('utf8');

function natsBucket(kv: LatticeBucket): Bucket {
  return {
    get: async (key) => (await kv.get(encodeKey(key))).value,
    set: (key, value) => kv.put(encodeKey(key), value),
    delete: (key) => kv.delete(encodeKey(key)),
    exists: async (key) => (await kv.get(encodeKey(key))).value !== undefined,
    async listKeys(cursor, limit) {
      const keys: string[] = [];
      for await (const stored of kv.keys()) keys.push(decodeKey(stored));
      return pageOf(keys.sort(), cursor, limit);
    },
    async increment(key, delta) {
      const stored = encodeKey(key);
      for (let attempt = 0; attempt < MAX_INCREMENT_ATTEMPTS; attempt++) {
        const entry = await kv.get(stored);
        const next = parseCounter(key, entry.value) + delta;
        if (await kv.putIfRevision(stored, encodeCounter(next), entry.revision)) return next;
      }
      throw new StoreError('KV_CONTENDED', `increment of ${key} lost to other writers ${MAX_INCREMENT_ATTEMPTS} times in a row`);
    },
  };
}
