/**
 * Host side of wasi:io 0.2 (poll, streams, error) for jco-transpiled components. Errors that the
 * WIT types as `result` are thrown as `{ payload }`, which jco turns into the guest's `err` value;
 * nothing else may throw, because a throw kills a StarlingMonkey instance.
 */

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function monotonicNow(): bigint {
  return process.hrtime.bigint();
}

/** Ready at once, or at a monotonic instant (nanoseconds). */
export class Pollable {
  readonly #readyAt: bigint;

  constructor(readyAt: bigint = 0n) {
    this.#readyAt = readyAt;
  }

  ready(): boolean {
    return monotonicNow() >= this.#readyAt;
  }

  block(): void {
    const remaining = this.#readyAt - monotonicNow();
    // Imports are synchronous in the guest: wait without spinning the CPU.
    if (remaining > 0n) Atomics.wait(sleeper, 0, 0, Number(remaining / 1_000_000n) + 1);
  }
}

/** Indices of the pollables that are ready, blocking until at least one is. */
export function poll(pollables: Pollable[]): Uint32Array {
  for (;;) {
    const ready = pollables.flatMap((pollable, index) => (pollable.ready() ? [index] : []));
    if (ready.length > 0 || pollables.length === 0) return Uint32Array.from(ready);
    pollables[0]!.block();
  }
}

export class IoError {
  readonly #message: string;

  constructor(message: string) {
    this.#message = message;
  }

  toDebugString(): string {
    return this.#message;
  }
}

const CLOSED = { payload: { tag: 'closed' } } as const;

/** Reads a body that the host already holds in full. */
export class InputStream {
  #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  read(length: bigint): Uint8Array {
    if (this.#bytes.length === 0) throw CLOSED;
    const count = Math.min(Number(length), this.#bytes.length);
    const chunk = this.#bytes.slice(0, count);
    this.#bytes = this.#bytes.subarray(count);
    return chunk;
  }

  blockingRead(length: bigint): Uint8Array {
    return this.read(length);
  }

  skip(length: bigint): bigint {
    return BigInt(this.read(length).length);
  }

  blockingSkip(length: bigint): bigint {
    return this.skip(length);
  }

  subscribe(): Pollable {
    return new Pollable();
  }
}

/** Chunk limit offered to writers; a body larger than this is written in several calls. */
const WRITE_BUDGET = 1n << 20n;

/** Collects what the guest writes and hands each chunk to `sink`. */
export class OutputStream {
  readonly #sink: (chunk: Uint8Array) => void;
  #closed = false;

  constructor(sink: (chunk: Uint8Array) => void) {
    this.#sink = sink;
  }

  close(): void {
    this.#closed = true;
  }

  checkWrite(): bigint {
    if (this.#closed) throw CLOSED;
    return WRITE_BUDGET;
  }

  write(contents: Uint8Array): void {
    if (this.#closed) throw CLOSED;
    // jco lends the guest's memory; copy before it changes.
    this.#sink(contents.slice());
  }

  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }

  flush(): void {
    if (this.#closed) throw CLOSED;
  }

  blockingFlush(): void {
    this.flush();
  }

  writeZeroes(length: bigint): void {
    this.write(new Uint8Array(Number(length)));
  }

  blockingWriteZeroesAndFlush(length: bigint): void {
    this.writeZeroes(length);
  }

  splice(source: InputStream, length: bigint): bigint {
    const chunk = source.read(length);
    this.write(chunk);
    return BigInt(chunk.length);
  }

  blockingSplice(source: InputStream, length: bigint): bigint {
    return this.splice(source, length);
  }

  subscribe(): Pollable {
    return new Pollable();
  }
}
