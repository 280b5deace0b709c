import { encodeCounter, parseCounter, type Backend, type Bucket } from './backend.ts';

/** Buckets in this process's memory: gone with the host. */
export function memoryBackend(): Backend & { readonly data: Map<string, Map<string, Uint8Array>> } {
  const data = new Map<string, Map<string, Uint8Array>>();
  return {
    data,
    async bucket(name) {
      let entries = data.get(name);
      if (!entries) {
        entries = new Map();
        data.set(name, entries);
      }
      return mapBucket(entries);
    },
    async close() {},
  };
}

function mapBucket(entries: Map<string, Uint8Array>): Bucket {
  return {
    get: async (key) => entries.get(key),
    set: async (key, value) => void entries.set(key, value.slice()),
    delete: async (key) => void entries.delete(key),
    exists: async (key) => entries.has(key),
    listKeys: async (cursor, limit) => pageOf([...entries.keys()].sort(), cursor, limit),
    // No await between read and write: nothing can interleave.
    increment: async (key, delta) => {
      const next = parseCounter(key, entries.get(key)) + delta;
      entries.set(key, encodeCounter(next));
      return next;
    },
  };
}

export function pageOf(sorted: string[], cursor: number, limit: number): { keys: string[]; next?: number } {
  const keys = sorted.slice(cursor, cursor + limit);
  return cursor + limit < sorted.length ? { keys, next: cursor + limit } : { keys };
}
