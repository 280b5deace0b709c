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
 *
 * A host's own increments of one key go one at a time. That spares the server their collisions,
 * and it keeps one host's count exact on a replicated bucket even on nats-server before 2.9.21,
 * whose clustered streams can accept two writes that expect the same revision
 * (nats-io/nats-server#4320).
 */
export function natsBackend(lattice: LatticeBuckets): Backend {
  const inTurn = turns();
  return {
    bucket: async (name, options) => natsBucket(await lattice.bucket(name, options), (key, work) => inTurn(`${name}\u0000${key}`, work)),
    close: () => lattice.close(),
  };
}

type InTurn = <T>(key: string, work: () => Promise<T>) => Promise<T>;

/** Runs the work given for one key one after another, in the order given; other keys run alongside. */
function turns(): InTurn {
  const last = new Map<string, Promise<unknown>>();
  return (key, work) => {
    const done = (last.get(key) ?? Promise.resolve()).then(work, work);
    const settled = done.catch(() => undefined);
    last.set(key, settled);
    // The map forgets a key once its last turn is over, so it holds only keys in use.
    void settled.then(() => {
      if (last.get(key) === settled) last.delete(key);
    });
    return done;
  };
}

const encodeKey = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
const decodeKey = (stored: string) => Buffer.from(stored, 'base64url').toString('utf8');

function natsBucket(kv: LatticeBucket, inTurn: InTurn): Bucket {
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
    increment: (key, delta) =>
      inTurn(key, async () => {
        const stored = encodeKey(key);
        for (let attempt = 0; attempt < MAX_INCREMENT_ATTEMPTS; attempt++) {
          const entry = await kv.get(stored);
          const next = parseCounter(key, entry.value) + delta;
          if (await kv.putIfRevision(stored, encodeCounter(next), entry.revision)) return next;
        }
        throw new StoreError('KV_CONTENDED', `increment of ${key} lost to other writers ${MAX_INCREMENT_ATTEMPTS} times in a row`);
      }),
  };
}
