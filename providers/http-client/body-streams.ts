import type { Readable } from 'node:stream';
import { streamSource, type BodyConsumer, type ByteSource } from '../../host/guest-side.ts';

/** How much of a request body a guest may write ahead of what the server has taken. */
const AHEAD_BYTES = 1 << 20;

/** A request body a guest writes as undici sends it: what the guest's stream writes to, and what undici reads. */
export interface RequestBodyPipe {
  readonly consumer: BodyConsumer;
  readonly chunks: AsyncIterable<Uint8Array>;
  /** The size it reached past the limit, once it did. */
  overLimit(): number | undefined;
  /**
   * The whole body, when the guest finished it already (none at all, most often): it then goes
   * out with a content-length rather than chunked. Undefined while the guest may still write.
   */
  whole(): Uint8Array | undefined;
  /** The request will not be sent: a guest waiting to write is let go, and its writes fail. */
  release(): void;
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
    whole: () => (finished && failure === undefined ? Buffer.concat(queue.splice(0)) : undefined),
    release,
  };
}

/** A response body as the guest reads it (see streamSource); past the link's limit, undici lets go of it. */
export function responseBodySource(body: Readable, maxBytes: number): ByteSource {
  return streamSource(body, maxBytes, `the response body is over the link's limit of ${maxBytes} bytes (max_body_bytes)`, () => body.destroy());
}
