/**
 * Host side of wasi:io 0.2 (poll, streams, error) for jco-transpiled components. Errors that the
 * WIT types as `result` are thrown as `{ payload }`, which jco turns into the guest's `err` value;
 * nothing else may throw, because a throw kills a StarlingMonkey instance.
 *
 * Waiting has two forms. An actor's worker thread runs an event loop (it serves HTTP) and its
 * instances are transpiled for JSPI, so a wait returns a Promise and the guest suspends while the
 * loop delivers the bytes it waits for. Anywhere else (an instance called in-process, with every
 * body already in memory) only clocks can be waited for, and the thread sleeps.
 */

const sleeper = new Int32Array(new SharedArrayBuffer(4));
let suspendOnWait = false;

/** Called once by a thread whose instances are transpiled for JSPI: waits suspend the guest from now on. */
export function suspendGuestsOnWait(): void {
  suspendOnWait = true;
}

export function monotonicNow(): bigint {
  return process.hrtime.bigint();
}

const ALWAYS = () => true;
const NEVER_WAIT = () => Promise.resolve();

/** Something a guest can wait for: a clock instant, bytes to read, room to write. */
export class Pollable {
  readonly #ready: () => boolean;
  readonly #whenReady: () => Promise<void>;
  readonly #readyAt: bigint | undefined;

  constructor(ready: () => boolean = ALWAYS, whenReady: () => Promise<void> = NEVER_WAIT, readyAt?: bigint) {
    this.#ready = ready;
    this.#whenReady = whenReady;
    this.#readyAt = readyAt;
  }

  /** Ready at a monotonic instant (nanoseconds). */
  static at(instant: bigint): Pollable {
    return new Pollable(
      () => monotonicNow() >= instant,
      () => new Promise((resolve) => setTimeout(resolve, Math.ceil(Number(instant - monotonicNow()) / 1e6))),
      instant,
    );
  }

  /** For a clock, the instant it waits for. */
  get instant(): bigint | undefined {
    return this.#readyAt;
  }

  ready(): boolean {
    return this.#ready();
  }

  block(): void | Promise<void> {
    if (this.#ready()) return;
    if (suspendOnWait) return this.#whenReady().then(() => this.block());
    // Only a clock can become ready while this thread sleeps: nothing else runs meanwhile.
    if (this.#readyAt !== undefined) Atomics.wait(sleeper, 0, 0, Number((this.#readyAt - monotonicNow()) / 1_000_000n) + 1);
  }

  /** Resolves when ready; the first of several wins the race in `poll`. */
  whenReady(): Promise<void> {
    return this.#ready() ? Promise.resolve() : this.#whenReady();
  }
}

/** Indices of the pollables that are ready, waiting until at least one is. */
export function poll(pollables: Pollable[]): Uint32Array | Promise<Uint32Array> {
  const ready = pollables.flatMap((pollable, index) => (pollable.ready() ? [index] : []));
  if (ready.length > 0 || pollables.length === 0) return Uint32Array.from(ready);
  if (suspendOnWait) return Promise.race(pollables.map((pollable) => pollable.whenReady())).then(() => poll(pollables));
  // Without an event loop only a clock can become ready: sleep until the soonest one.
  const clocks = pollables.filter((pollable) => pollable.instant !== undefined);
  if (clocks.length === 0) return new Uint32Array();
  clocks.reduce((soonest, pollable) => (pollable.instant! < soonest.instant! ? pollable : soonest)).block();
  return poll(pollables);
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

/** Where an input stream's bytes come from. */
export interface ByteSource {
  /** Up to `max` bytes that are here now (possibly none); undefined once the source has ended. */
  take(max: number): Uint8Array | undefined;
  /** Bytes are buffered, or the source has ended or failed: a read would not come back empty. */
  readable(): boolean;
  whenReadable(): Promise<void>;
  /** Why the source failed (a client that went away, a body over its limit); undefined if it did not. */
  failure(): string | undefined;
}

/** The parts of a Node readable stream a source reads from (node:http's request, undici's body). */
export interface NodeReadable {
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
}

export interface StreamSource extends ByteSource {
  /** Bytes received so far, read or not. */
  readonly received: number;
  /** Fails every read from now on with `message` (the stream went away); the first failure wins. */
  fail(message: string): void;
}

/** Read ahead of the guest before the stream is paused. */
const READ_AHEAD_BYTES = 256 * 1024;

/**
 * A Node stream's bytes as a guest reads them: read ahead up to READ_AHEAD_BYTES, then the stream
 * is paused until the guest catches up, so a large body is never held whole. Past `limit` bytes
 * reads fail with `overLimit`; `onFailure` hears of any failure, once, and decides what becomes
 * of the stream (an HTTP server still answers 413 on it; a client lets go of it).
 */
export function streamSource(stream: NodeReadable, limit: number, overLimit: string, onFailure: (message: string, isOverLimit: boolean) => void = () => {}): StreamSource {
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  let received = 0;
  let ended = false;
  let failure: string | undefined;
  let waiting: (() => void)[] = [];
  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const resolve of woken) resolve();
  };
  const fail = (message: string, isOverLimit = false) => {
    if (failure !== undefined || ended) return;
    failure = message;
    chunks.length = 0;
    buffered = 0;
    wake();
    onFailure(message, isOverLimit);
  };
  stream.on('data', (chunk) => {
    if (failure !== undefined) return;
    received += chunk.byteLength;
    if (received > limit) return fail(overLimit, true);
    chunks.push(chunk);
    buffered += chunk.byteLength;
    if (buffered >= READ_AHEAD_BYTES) stream.pause();
    wake();
  });
  stream.on('end', () => {
    ended = true;
    wake();
  });
  stream.on('error', (error) => fail(error.message));
  return {
    get received() {
      return received;
    },
    fail,
    take(max) {
      // Nothing now: the end (or the failure, which the stream reports), or an empty read.
      if (chunks.length === 0) return ended || failure !== undefined ? undefined : new Uint8Array();
      const first = chunks[0]!;
      const chunk = first.byteLength <= max ? chunks.shift()! : first.subarray(0, max);
      if (chunk !== first) chunks[0] = first.subarray(max);
      buffered -= chunk.byteLength;
      if (buffered < READ_AHEAD_BYTES / 2 && stream.isPaused()) stream.resume();
      return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    },
    readable: () => chunks.length > 0 || ended || failure !== undefined,
    whenReadable: () => (chunks.length > 0 || ended || failure !== undefined ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
    failure: () => failure,
  };
}

/** A source holding all its bytes already. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  let rest = bytes;
  return {
    take(max) {
      if (rest.length === 0) return undefined;
      const chunk = rest.slice(0, max);
      rest = rest.subarray(chunk.length);
      return chunk;
    },
    readable: ALWAYS,
    whenReadable: NEVER_WAIT,
    failure: () => undefined,
  };
}

const CLOSED = { payload: { tag: 'closed' } } as const;

function failed(message: string): { payload: { tag: 'last-operation-failed'; val: IoError } } {
  return { payload: { tag: 'last-operation-failed', val: new IoError(message) } };
}

export class InputStream {
  readonly #source: ByteSource;

  constructor(source: ByteSource | Uint8Array) {
    this.#source = source instanceof Uint8Array ? bytesSource(source) : source;
  }

  read(length: bigint): Uint8Array {
    const chunk = this.#source.take(Number(length > 0x7fffffffn ? 0x7fffffffn : length));
    if (chunk) return chunk;
    const failure = this.#source.failure();
    throw failure === undefined ? CLOSED : failed(failure);
  }

  /**
   * Waits for bytes, then reads. When the source ends during the wait, the answer is an empty
   * read rather than `closed`: a suspended import must not reject (jco then never resumes the
   * guest), and the guest's next read reports the end at once.
   */
  blockingRead(length: bigint): Uint8Array | Promise<Uint8Array> {
    if (this.#source.readable() || !suspendOnWait) return this.read(length);
    return this.#source.whenReadable().then(() => this.#source.take(Number(length)) ?? new Uint8Array());
  }

  skip(length: bigint): bigint {
    return BigInt(this.read(length).length);
  }

  blockingSkip(length: bigint): bigint | Promise<bigint> {
    const read = this.blockingRead(length);
    return read instanceof Uint8Array ? BigInt(read.length) : read.then((chunk) => BigInt(chunk.length));
  }

  subscribe(): Pollable {
    return new Pollable(
      () => this.#source.readable(),
      () => this.#source.whenReadable(),
    );
  }
}

/** Where an output stream's bytes go. */
export interface ByteSink {
  write(chunk: Uint8Array): void;
  /** Bytes the sink takes now before it would have to buffer; 0 when it is full. */
  capacity(): number;
  whenWritable(): Promise<void>;
  /** Why writing stopped (the client went away); undefined while it may go on. */
  failure(): string | undefined;
}

/** Chunk limit offered to writers by sinks that never push back. */
const UNBOUNDED_BUDGET = 1 << 20;

/** A sink that hands every chunk to `consume` and never pushes back. */
export function callbackSink(consume: (chunk: Uint8Array) => void): ByteSink {
  return { write: consume, capacity: () => UNBOUNDED_BUDGET, whenWritable: NEVER_WAIT, failure: () => undefined };
}

export class OutputStream {
  readonly #sink: ByteSink;
  #closed = false;

  constructor(sink: ByteSink | ((chunk: Uint8Array) => void)) {
    this.#sink = typeof sink === 'function' ? callbackSink(sink) : sink;
  }

  close(): void {
    this.#closed = true;
  }

  checkWrite(): bigint {
    this.#usable();
    return BigInt(this.#sink.capacity());
  }

  write(contents: Uint8Array): void {
    this.#usable();
    // jco lends the guest's memory; copy before it changes.
    this.#sink.write(contents.slice());
  }

  /**
   * Writes at once: the sink buffers what the client has not taken yet, as node:http does. A sink
   * that fails on this very write (a file's disk full) says so now: the flush is what the guest
   * trusts to have put the bytes somewhere.
   */
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
    this.#usable();
  }

  flush(): void {
    this.#usable();
  }

  blockingFlush(): void | Promise<void> {
    this.#usable();
    if (this.#sink.capacity() === 0 && suspendOnWait) return this.#sink.whenWritable();
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

  blockingSplice(source: InputStream, length: bigint): bigint | Promise<bigint> {
    const chunk = source.blockingRead(length);
    const forward = (bytes: Uint8Array) => {
      if (!this.#closed && this.#sink.failure() === undefined) this.#sink.write(bytes);
      return BigInt(bytes.length);
    };
    return chunk instanceof Uint8Array ? (this.#usable(), forward(chunk)) : chunk.then(forward);
  }

  subscribe(): Pollable {
    return new Pollable(
      () => this.#closed || this.#sink.capacity() > 0 || this.#sink.failure() !== undefined,
      () => this.#sink.whenWritable(),
    );
  }

  #usable(): void {
    if (this.#closed) throw CLOSED;
    const failure = this.#sink.failure();
    if (failure !== undefined) throw failed(failure);
  }
}

/** The wasi:io interfaces, keyed as jco expects (no versions). */
export function ioImports(): Record<string, Record<string, unknown>> {
  return {
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/streams': { InputStream, OutputStream },
    'wasi:io/error': { Error: IoError },
  };
}
