import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor, type LoadedActor } from '../fixtures/instantiate-actor.ts';
import { builtActor } from './built-actors.ts';
import { request } from './http-request.ts';

/** A hand-made wasi:keyvalue in memory, standing in for the provider of a later issue. */
function memoryKeyValue(stores: Map<string, Map<string, Uint8Array>>) {
  class Bucket {
    readonly entries: Map<string, Uint8Array>;
    constructor(entries: Map<string, Uint8Array>) {
      this.entries = entries;
    }
    get(key: string) { return this.entries.get(key); }
    set(key: string, value: Uint8Array) { this.entries.set(key, value.slice()); }
    delete(key: string) { this.entries.delete(key); }
    exists(key: string) { return this.entries.has(key); }
    listKeys() { return { keys: [...this.entries.keys()], cursor: undefined }; }
  }
  const open = (name: string) => {
    const entries = stores.get(name);
    if (!entries) throw { payload: { tag: 'no-such-store' } };
    return new Bucket(entries);
  };
  const increment = (bucket: Bucket, key: string, delta: bigint) => {
    const current = bucket.entries.get(key);
    const next = (current ? BigInt(new TextDecoder().decode(current)) : 0n) + delta;
    bucket.entries.set(key, new TextEncoder().encode(String(next)));
    return next;
  };
  return {
    'wasi:keyvalue/store': { open, Bucket },
    'wasi:keyvalue/atomics': { increment },
    'wasi:keyvalue/batch': {
      getMany: (bucket: Bucket, keys: string[]) => keys.map((key) => (bucket.entries.has(key) ? [key, bucket.entries.get(key)] : undefined)),
      setMany: (bucket: Bucket, pairs: [string, Uint8Array][]) => pairs.forEach(([key, value]) => bucket.set(key, value)),
      deleteMany: (bucket: Bucket, keys: string[]) => keys.forEach((key) => bucket.delete(key)),
    },
  };
}

describe('counter (TypeScript, wasi:http + wasi:keyvalue)', () => {
  const stores = new Map([['default', new Map<string, Uint8Array>()]]);
  let actor: LoadedActor;

  beforeAll(async () => {
    actor = await loadActor(builtActor('counter'), memoryKeyValue(stores));
  });

  it('counts each path on its own, and returns the new count as JSON', async () => {
    expect(JSON.parse((await request(actor, 'GET', '/a')).text)).toEqual({ path: '/a', count: 1 });
    expect(JSON.parse((await request(actor, 'GET', '/a')).text)).toEqual({ path: '/a', count: 2 });
    const b = await request(actor, 'POST', '/b');
    expect(b.status).toBe(200);
    expect(b.header('content-type')).toBe('application/json');
    expect(JSON.parse(b.text)).toEqual({ path: '/b', count: 1 });
    expect(new TextDecoder().decode(stores.get('default')!.get('counter:/a'))).toBe('2');
  });

  it('answers 503 with the store error when the store is missing', async () => {
    const broken = await loadActor(builtActor('counter'), memoryKeyValue(new Map()));
    const response = await request(broken, 'GET', '/a');
    expect(response.status).toBe(503);
    expect(JSON.parse(response.text)).toEqual({ error: 'no-such-store' });
    expect((await request(broken, 'GET', '/b')).status).toBe(503);
  });
});
