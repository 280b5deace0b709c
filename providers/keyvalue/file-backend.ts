import { mkdir, open, readFile, rename, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeCounter, parseCounter, type Backend, type Bucket } from './backend.ts';
import { StoreError } from './errors.ts';
import { lockDirectory } from './file-lock.ts';
import { pageOf } from './memory-backend.ts';
import { decodeRecords, encodeRecord, replay, type LogRecord } from './write-ahead-log.ts';

const BUCKET_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_COMPACT_AFTER_BYTES = 4 * 1024 * 1024;

/**
 * A durable store in a directory: per bucket, a snapshot plus a write-ahead log (`<bucket>.snapshot`,
 * `<bucket>.log`). A write is acknowledged only after its log record is on disk (fdatasync), so it
 * survives a `kill -9` at any moment; writes that arrive together share one sync (group commit).
 * A torn last record fails its checksum and is cut off on reopen, so no half-written value is ever
 * read. Keys are data inside the log, never file names, so no key can reach outside the directory.
 * When the log outgrows its threshold it is folded into a new snapshot (written aside, synced,
 * renamed into place, then the log is emptied).
 */
export async function fileBackend(dir: string, options: { compactAfterBytes?: number } = {}): Promise<Backend> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const unlock = await lockDirectory(dir);
  const buckets = new Map<string, Promise<FileBucket>>();
  return {
    bucket(name) {
      if (!BUCKET_NAME.test(name)) return Promise.reject(new StoreError('KV_BAD_BUCKET_NAME', `"${name}" is not a bucket name`));
      let bucket = buckets.get(name);
      if (!bucket) {
        bucket = FileBucket.open(dir, name, options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES);
        buckets.set(name, bucket);
      }
      return bucket;
    },
    async close() {
      for (const bucket of buckets.values()) await (await bucket).close();
      await unlock();
    },
  };
}

interface Waiter {
  readonly sequence: number;
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

class FileBucket implements Bucket {
  readonly #dir: string;
  readonly #name: string;
  readonly #entries: Map<string, Uint8Array>;
  readonly #log: FileHandle;
  readonly #compactAfter: number;
  #logSize: number;
  #pending: Waiter[] = [];
  /** Writes applied to memory, and how many of them are on disk. */
  #applied = 0;
  #synced = 0;
  #readers: { readonly wanted: number; readonly resolve: () => void }[] = [];
  #flushing: Promise<void> | undefined;
  #failure: Error | undefined;

  private constructor(dir: string, name: string, entries: Map<string, Uint8Array>, log: FileHandle, logSize: number, compactAfter: number) {
    this.#dir = dir;
    this.#name = name;
    this.#entries = entries;
    this.#log = log;
    this.#logSize = logSize;
    this.#compactAfter = compactAfter;
  }

  static async open(dir: string, name: string, compactAfter: number): Promise<FileBucket> {
    const snapshotBytes = await readFile(join(dir, `${name}.snapshot`)).catch(() => Buffer.alloc(0));
    const snapshot = decodeRecords(snapshotBytes);
    if (snapshot.validLength !== snapshotBytes.length) throw new StoreError('KV_STORE_DAMAGED', `the snapshot of bucket ${name} in ${dir} is damaged`);
    const logPath = join(dir, `${name}.log`);
    const logBytes = await readFile(logPath).catch(() => Buffer.alloc(0));
    const log = decodeRecords(logBytes);
    // Only the last record can be torn (a crash mid-append); cut it so appends start clean.
    if (log.validLength < logBytes.length) await truncate(logPath, log.validLength);
    const entries = replay(log.records, replay(snapshot.records));
    const handle = await open(logPath, 'a', 0o600);
    await handle.sync();
    // A new log file exists only once its directory entry is on disk too (power loss, not just kill -9).
    await syncDirectory(dir);
    return new FileBucket(dir, name, entries, handle, log.validLength, compactAfter);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    await this.#durable();
    if (this.#failure) throw this.#failure;
    return this.#entries.get(key);
  }

  async exists(key: string): Promise<boolean> {
    await this.#durable();
    if (this.#failure) throw this.#failure;
    return this.#entries.has(key);
  }

  async listKeys(cursor: number, limit: number): Promise<{ keys: string[]; next?: number }> {
    await this.#durable();
    if (this.#failure) throw this.#failure;
    return pageOf([...this.#entries.keys()].sort(), cursor, limit);
  }

  /**
   * Waits until every write applied before this read is on disk, so a read never returns a value
   * that a crash could still take back. Later writes do not hold it up. (Increments read at once:
   * their result is acknowledged only after their own sync, which follows the write they read.)
   */
  #durable(): Promise<void> | undefined {
    const wanted = this.#applied;
    if (this.#synced >= wanted) return undefined;
    return new Promise((resolve) => this.#readers.push({ wanted, resolve }));
  }

  set(key: string, value: Uint8Array): Promise<void> {
    return this.#write({ op: 'set', key, value: value.slice() });
  }

  delete(key: string): Promise<void> {
    return this.#write({ op: 'delete', key });
  }

  async increment(key: string, delta: bigint): Promise<bigint> {
    const next = parseCounter(key, this.#entries.get(key)) + delta;
    await this.#write({ op: 'set', key, value: encodeCounter(next) });
    return next;
  }

  async close(): Promise<void> {
    await this.#flushing;
    await this.#log.close();
  }

  /** Applies at once (so later operations see it), and resolves when it is on disk. */
  #write(record: LogRecord): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    replay([record], this.#entries);
    const sequence = ++this.#applied;
    return new Promise((resolve, reject) => {
      this.#pending.push({ sequence, bytes: encodeRecord(record), resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0);
      try {
        const bytes = Buffer.concat(batch.map((waiter) => waiter.bytes));
        await this.#log.write(bytes);
        await this.#log.datasync();
        this.#logSize += bytes.length;
        for (const waiter of batch) waiter.resolve();
        this.#synced = batch[batch.length - 1]!.sequence;
        this.#readers = this.#readers.filter((reader) => (reader.wanted <= this.#synced ? (reader.resolve(), false) : true));
        if (this.#logSize > this.#compactAfter) await this.#compact();
      } catch (error) {
        // The memory view may now hold writes the disk does not: refuse everything from here on.
        this.#failure = new StoreError('KV_STORE_UNWRITABLE', `bucket ${this.#name} in ${this.#dir} can no longer be written: ${(error as Error).message}`, { cause: error });
        for (const waiter of [...batch, ...this.#pending.splice(0)]) waiter.reject(this.#failure);
        // Readers wait for data that will never be synced: release them to meet the failure.
        for (const reader of this.#readers.splice(0)) reader.resolve();
      }
    }
    this.#flushing = undefined;
  }

  async #compact(): Promise<void> {
    const snapshotPath = join(this.#dir, `${this.#name}.snapshot`);
    const staging = `${snapshotPath}.partial`;
    const file = await open(staging, 'w', 0o600);
    try {
      await file.write(Buffer.concat([...this.#entries].map(([key, value]) => encodeRecord({ op: 'set', key, value }))));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(staging, snapshotPath);
    await syncDirectory(this.#dir);
    await this.#log.truncate(0);
    await this.#log.sync();
    this.#logSize = 0;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
