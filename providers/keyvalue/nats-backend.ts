import { connect, type KV, type NatsConnection, type NatsError } from 'nats';
import { latticeKv } from '../../host/lattice/index.ts';
import { encodeCounter, parseCounter, type Backend, type Bucket } from './backend.ts';
import { StoreError } from './errors.ts';
import { pageOf } from './memory-backend.ts';

const MAX_INCREMENT_ATTEMPTS = 10_000;

// JetStream's "wrong last sequence" (JSStreamWrongLastSequenceErrF): another writer got there first.
const WRONG_LAST_SEQUENCE = 10071;
const lostTheRace = (error: unknown) => (error as NatsError | undefined)?.api_error?.err_code === WRONG_LAST_SEQUENCE;

/**
 * Buckets as JetStream KV buckets, so hosts on different machines share state. Keys are stored
 * base64url-encoded: NATS allows few characters in a key, and an actor may use any string.
 * Increment is optimistic: read the entry and its revision, write only if the revision is still
 * the latest, and try again when another writer got there first, so concurrent increments from
 * several hosts lose nothing.
 */
export async function natsBackend(url: string): Promise<Backend> {
  const connection: NatsConnection = await connect({ servers: url, name: 'badger-keyvalue' });
  const views = new Map<string, () => Promise<KV>>();
  return {
    async bucket(name) {
      let view = views.get(name);
      if (!view) {
        // A host on a laptop's leaf node reaches the hub's buckets through the hub's domain.
        view = latticeKv(connection, name);
        views.set(name, view);
      }
      return natsBucket(await view());
    },
    async close() {
      await connection.drain();
    },
  };
}

const encodeKey = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
const decodeKey = (stored: string) => Buffer.from(stored, 'base64url').toString('utf8');

function natsBucket(kv: KV): Bucket {
  const read = async (key: string) => {
    const entry = await kv.get(encodeKey(key));
    return entry && entry.operation === 'PUT' ? entry : undefined;
  };
  return {
    get: async (key) => (await read(key))?.value,
    set: async (key, value) => void (await kv.put(encodeKey(key), value)),
    delete: async (key) => void (await kv.delete(encodeKey(key))),
    exists: async (key) => (await read(key)) !== undefined,
    async listKeys(cursor, limit) {
      const keys: string[] = [];
      for await (const stored of await kv.keys()) keys.push(decodeKey(stored));
      return pageOf(keys.sort(), cursor, limit);
    },
    async increment(key, delta) {
      const stored = encodeKey(key);
      for (let attempt = 0; attempt < MAX_INCREMENT_ATTEMPTS; attempt++) {
        const entry = await kv.get(stored);
        const live = entry && entry.operation === 'PUT' ? entry : undefined;
        const next = parseCounter(key, live?.value) + delta;
        try {
          // A deleted key still has a revision: update against it rather than create.
          if (entry) await kv.update(stored, encodeCounter(next), entry.revision);
          else await kv.create(stored, encodeCounter(next));
          return next;
        } catch (error) {
          if (!lostTheRace(error)) throw error;
        }
      }
      throw new StoreError('KV_CONTENDED', `increment of ${key} lost to other writers ${MAX_INCREMENT_ATTEMPTS} times in a row`);
    },
  };
}
