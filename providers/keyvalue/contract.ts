// The guest side runs in every actor thread that imports wasi:keyvalue: types only from the host.
import type { Contract, Link, RoutedCall } from '../../host/index.ts';

/** What a key-value provider implements; `bucket` is the identifier the actor passed to `open`. */
export interface KeyValueHandler {
  open(bucket: string, link: Link): Promise<void>;
  get(bucket: string, key: string, link: Link): Promise<Uint8Array | undefined>;
  set(bucket: string, key: string, value: Uint8Array, link: Link): Promise<void>;
  delete(bucket: string, key: string, link: Link): Promise<void>;
  exists(bucket: string, key: string, link: Link): Promise<boolean>;
  listKeys(bucket: string, cursor: bigint | undefined, link: Link): Promise<{ keys: string[]; cursor?: bigint }>;
  increment(bucket: string, key: string, delta: bigint, link: Link): Promise<bigint>;
}

export type KeyValueError = { tag: 'no-such-store' } | { tag: 'access-denied' } | { tag: 'other'; val: string };

const STORE = 'wasi:keyvalue/store';
const ATOMICS = 'wasi:keyvalue/atomics';
const BATCH = 'wasi:keyvalue/batch';

export const contract: Contract<KeyValueHandler> = {
  module: import.meta.url,
  package: 'wasi:keyvalue',
  versions: '0.2.0-draft',
  interfaces: [STORE, ATOMICS, BATCH],
  // Routed calls block the actor's thread while the host runs them (a JSPI suspension here would
  // cost jco's async task machinery on every call, about 50 µs each): nothing here suspends.
  asyncImports: [],
  // Opening checks the identifier against the link's config and opens the store, which the
  // provider keeps open: the same open on the same link cannot succeed and then fail. (A store
  // that goes away later fails the calls that use it.) Remembered, a get is one crossing, not two.
  rememberedImports: [`${STORE}#open`],
  // Kept by the actor's thread when the provider says its store is written only through it.
  keptReads: [`${STORE}#get`, `${STORE}#exists`],

  guestImports(call: RoutedCall) {
    // A bucket is only its identifier on the guest side; the provider behind the link holds the data.
    class Bucket {
      readonly identifier: string;
      constructor(identifier: string) {
        this.identifier = identifier;
      }
      get(key: string) { return call(STORE, 'get', [this.identifier, key]); }
      set(key: string, value: Uint8Array) { return call(STORE, 'set', [this.identifier, key, value]); }
      delete(key: string) { return call(STORE, 'delete', [this.identifier, key]); }
      exists(key: string) { return call(STORE, 'exists', [this.identifier, key]); }
      listKeys(cursor: bigint | undefined) { return call(STORE, 'list-keys', [this.identifier, cursor]); }
    }
    return {
      [STORE]: {
        Bucket,
        open: (identifier: string) => {
          call(STORE, 'open', [identifier]);
          return new Bucket(identifier);
        },
      },
      [ATOMICS]: {
        increment: (bucket: Bucket, key: string, delta: bigint) => call(ATOMICS, 'increment', [bucket.identifier, key, delta]),
      },
      [BATCH]: {
        getMany: (bucket: Bucket, keys: string[]) => call(BATCH, 'get-many', [bucket.identifier, keys]),
        setMany: (bucket: Bucket, pairs: [string, Uint8Array][]) => call(BATCH, 'set-many', [bucket.identifier, pairs]),
        deleteMany: (bucket: Bucket, keys: string[]) => call(BATCH, 'delete-many', [bucket.identifier, keys]),
      },
    };
  },

  dispatch(handler, iface, operation, args, link) {
    const [bucket, ...rest] = args as [string, ...unknown[]];
    switch (`${iface}#${operation}`) {
      case `${STORE}#open`: return handler.open(bucket, link);
      case `${STORE}#get`: return handler.get(bucket, rest[0] as string, link);
      case `${STORE}#set`: return handler.set(bucket, rest[0] as string, rest[1] as Uint8Array, link);
      case `${STORE}#delete`: return handler.delete(bucket, rest[0] as string, link);
      case `${STORE}#exists`: return handler.exists(bucket, rest[0] as string, link);
      case `${STORE}#list-keys`:
        return handler.listKeys(bucket, rest[0] as bigint | undefined, link).then((page) => ({ keys: page.keys, cursor: page.cursor }));
      case `${ATOMICS}#increment`: return handler.increment(bucket, rest[0] as string, rest[1] as bigint, link);
      // Batches are not atomic as a whole (the WIT says so), so they are the single operations in turn.
      case `${BATCH}#get-many`: {
        const keys = rest[0] as string[];
        return Promise.all(keys.map((key) => handler.get(bucket, key, link))).then((values) => keys.map((key, i) => (values[i] === undefined ? undefined : [key, values[i]])));
      }
      case `${BATCH}#set-many`:
        return inTurn(rest[0] as [string, Uint8Array][], ([key, value]) => handler.set(bucket, key, value, link));
      case `${BATCH}#delete-many`:
        return inTurn(rest[0] as string[], (key) => handler.delete(bucket, key, link));
      default:
        return undefined;
    }
  },

  notLinked: (message) => ({ tag: 'other', val: message }) satisfies KeyValueError,
  failed: (message) => ({ tag: 'other', val: message }) satisfies KeyValueError,
};

async function inTurn<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<undefined> {
  for (const item of items) await work(item);
  return undefined;
}
