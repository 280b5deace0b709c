/**
 * Buffers to read artifacts into, lent for the time of one start and then reused. Read into a new
 * array each time, a 13 MB component is 13 MB of external memory per start, and V8 answers about
 * every 64 MB of it with a full collection of the host's heap: 5–18 ms of a stopped main thread,
 * during which no routed import of any running actor is answered (measured: p99 of a key-value get
 * 21 ms while the host starts and stops `hello` actors, 8 ms with reused buffers).
 *
 * A lent buffer must not be kept past `release`: whoever needs the bytes later copies them.
 */
export class ArtifactBuffers {
  readonly #free: ArrayBuffer[] = [];
  readonly #lent = new Set<ArrayBuffer>();
  readonly #maxPooledBytes: number;

  /** Keeps at most `maxPooledBytes` of free buffers; a larger artifact gets a buffer of its own, dropped after use. */
  constructor(maxPooledBytes = 32 * 1024 * 1024) {
    this.#maxPooledBytes = maxPooledBytes;
  }

  /** `size` bytes to read into, not zeroed (the reader overwrites them all). */
  lend(size: number): Uint8Array {
    const index = this.#free.findIndex((buffer) => buffer.byteLength >= size);
    // Rounded up, so that code that grows by a few bytes between builds still fits the same buffer.
    const buffer = index >= 0 ? this.#free.splice(index, 1)[0]! : new ArrayBuffer(Math.ceil(Math.max(size, 1) / GRAIN) * GRAIN);
    this.#lent.add(buffer);
    return new Uint8Array(buffer, 0, size);
  }

  /** Takes back what `lend` gave; anything else (a fetched artifact's own array) is ignored. */
  release(bytes: Uint8Array): void {
    const buffer = bytes.buffer as ArrayBuffer;
    if (!this.#lent.delete(buffer)) return;
    const pooled = this.#free.reduce((sum, free) => sum + free.byteLength, 0);
    if (pooled + buffer.byteLength <= this.#maxPooledBytes) this.#free.push(buffer);
  }

  /** Free buffers and their bytes, for tests. */
  get pooled(): { readonly buffers: number; readonly bytes: number } {
    return { buffers: this.#free.length, bytes: this.#free.reduce((sum, free) => sum + free.byteLength, 0) };
  }
}

const GRAIN = 64 * 1024;
