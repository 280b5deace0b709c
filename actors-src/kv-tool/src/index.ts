// kv-tool: every wasi:keyvalue operation as an exported function.
import { increment as add } from 'wasi:keyvalue/atomics@0.2.0-draft';
import { open } from 'wasi:keyvalue/store@0.2.0-draft';

/** The store's error variant as one line of text, thrown so the export returns `err`. */
function failure(error: unknown): never {
  const payload = (error as { payload?: { tag: string; val?: string } }).payload;
  throw payload ? `${payload.tag}${payload.val === undefined ? '' : `: ${payload.val}`}` : String(error);
}

function attempt<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    return failure(error);
  }
}

export const tool = {
  get: (bucket: string, key: string) => attempt(() => open(bucket).get(key)),
  set: (bucket: string, key: string, value: Uint8Array) => attempt(() => open(bucket).set(key, value)),
  delete: (bucket: string, key: string) => attempt(() => open(bucket).delete(key)),
  increment: (bucket: string, key: string, delta: bigint) => attempt(() => add(open(bucket), key, delta)),
  listKeys: (bucket: string) =>
    attempt(() => {
      const store = open(bucket);
      const keys: string[] = [];
      let cursor: bigint | undefined;
      do {
        const page = store.listKeys(cursor);
        keys.push(...page.keys);
        cursor = page.cursor;
      } while (cursor !== undefined);
      return keys;
    }),
};
