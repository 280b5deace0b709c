import { StoreError } from './errors.ts';

/** One bucket of a store. Every method is atomic with respect to the others on the same key. */
export interface Bucket {
  get(key: string): Promise<Uint8Array | undefined>;
  /** Resolves once the write is durable, as far as the backend promises durability. */
  set(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Keys in sorted order from `cursor` (an offset), at most `limit` of them. */
  listKeys(cursor: number, limit: number): Promise<{ keys: string[]; next?: number }>;
  /** Adds `delta` to the decimal number at `key` (0 when absent) and returns the new value. */
  increment(key: string, delta: bigint): Promise<bigint>;
}

/** A place buckets live: a memory map, a directory, a NATS server. */
export interface Backend {
  /** `replicas`: how many copies a new bucket is kept in, where the backend keeps copies (nats). */
  bucket(name: string, options?: { readonly replicas?: number }): Promise<Bucket>;
  close(): Promise<void>;
}

/** The counter format every backend shares: the decimal digits of a u64. */
export function parseCounter(key: string, stored: Uint8Array | undefined): bigint {
  if (stored === undefined) return 0n;
  const text = new TextDecoder().decode(stored);
  if (!/^\d{1,20}$/.test(text)) throw new StoreError('KV_NOT_A_COUNTER', `${key} holds "${text.slice(0, 40)}", not a number`);
  return BigInt(text);
}

export function encodeCounter(value: bigint): Uint8Array {
  if (value < 0n || value > 0xffffffffffffffffn) throw new StoreError('KV_COUNTER_OVERFLOW', `the counter would leave the u64 range (${value})`);
  return new TextEncoder().encode(value.toString());
}
