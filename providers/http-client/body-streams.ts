import type { Readable } from 'node:stream';
import type { BodyConsumer, ByteSource } from '../../host/guest-side.ts';

/** How much of a request body a guest may write ahead of what the server has taken. */
const AHEAD_BYTES = 1 << 20;

/** A request body a guest writes as undici sends it: what the guest's stream writes to, and what undici reads. */
export interface RequestBodyPipe {
  readonly consumer: BodyConsumer;
  readonly chunks: AsyncIterable<Uint8Array>;
  /** The size it reached past the limit, once it did. */
  overLimit(): number | undefined;
}

/**
 * Chunks wait here between the guest's writes and undici's reads. The guest is told to wait
 * (check-write answers 0) while a megabyte is queued, so a large body is never held whole.
 */
export function requestBodyPipe(maxBytes: number): RequestBodyPipe {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let total = 0;
  let finished = false;
  let failure: string | undefined;
  let exceeded: number | undefined;
  let wakeReader: (() => void) | undefined;
  const wakeWriters: (() => void)[] = [];
  const wake = () => {
    wakeReader?.();
    wakeReader = undefined;
  };
  const consumer: BodyConsumer = {
    write(chunk) {
      if (failure !== undefined) return;
      total += chunk.byteLength;
      if (total > maxBytes) {
        exceeded = total;
        failure = `the request body is over the link's limit of ${maxBytes} bytes (max_body_bytes)`;
      } else {
        queue.push(chunk);
        queued += chunk.byteLength;
      }
      wake();
    },
    capacity: () => (failure !== undefined ? 0 : Math.max(0, AHEAD_BYTES - queued)),
    whenWritable: () => new Promise((resolve) => wakeWriters.push(resolve)),
    failure: () => failure,
    finish() {
      finished = true;
      wake();
    },
  };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        queued -= chunk.byteLength;
        for (const resolve of wakeWriters.splice(0)) resolve();
        yield chunk;
      } else if (failure !== undefined) {
        throw new Error(failure);
      } else if (finished) {
        return;
      } else {
        await new Promise<void>((resolve) => (wakeReader = resolve));
      }
    }
  }
  // When undici stops reading (the request failed), a waiting writer must not wait for ever.
  const release = () => {
    failure ??= 'the request was not sent';
    for (const resolve of wakeWriters.splice(0)) resolve();
  };
  return {
    consumer,
    chunks: {
      [Symbol.asyncIterator]: () => {
        const iterator = chunks();
        return {
          next: () => iterator.next(),
          return: (value?: unknown) => (release(), iterator.return(value as undefined)),
          throw: (error?: unknown) => (release(), iterator.throw(error)),
        };
      },
    },
    overLimit: () => exceeded,
  };
}

/** A response body as the guest reads it: chunks as undici delivers them, paused while the guest has a megabyte unread. */
export function responseBodySource(body: Readable, maxBytes: number): ByteSource {
  const buffered: Uint8Array[] = [];
  let bufferedBytes = 0;
  let total = 0;
  let ended = false;
  let failure: string | undefined;
  const waiting: (() => void)[] = [];
  const wake = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  body.on('data', (chunk: Uint8Array) => {
    total += chunk.byteLength;
    if (total > maxBytes) {
      failure = `the response body is over the link's limit of ${maxBytes} bytes (max_body_bytes)`;
      body.destroy();
    } else {
      buffered.push(chunk);
      bufferedBytes += chunk.byteLength;
      if (bufferedBytes >= AHEAD_BYTES) body.pause();
    }
    wake();
  });
  body.on('end', () => {
    ended = true;
    wake();
  });
  body.on('error', (error) => {
    failure ??= error.message;
    wake();
  });
  return {
    take(max) {
      const first = buffered[0];
      // Nothing now: the end (or the failure, which the stream reports), or an empty read.
      if (!first) return ended || failure !== undefined ? undefined : new Uint8Array();
      const chunk = first.byteLength <= max ? buffered.shift()! : first.subarray(0, max);
      if (chunk !== first) buffered[0] = first.subarray(max);
      bufferedBytes -= chunk.byteLength;
      if (bufferedBytes < AHEAD_BYTES && body.isPaused()) body.resume();
      return chunk;
    },
    readable: () => buffered.length > 0 || ended || failure !== undefined,
    whenReadable: () => (buffered.length > 0 || ended || failure !== undefined ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve))),
    failure: () => failure,
  };
}
