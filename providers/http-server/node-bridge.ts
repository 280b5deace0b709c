import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyConsumer, OutgoingResponse } from './wasi-http-types.ts';
import type { ByteSource } from './wasi-io.ts';

/** Buffered ahead of the guest's reads before the socket is paused. */
const READ_AHEAD_BYTES = 256 * 1024;

export interface RequestBody extends ByteSource {
  readonly received: number;
}

/**
 * A request body as it arrives: read ahead up to READ_AHEAD_BYTES, then the socket is paused
 * until the guest catches up, so a large upload is never held whole. Past `limit` bytes, or when
 * the client goes away, reads fail and `onFailure` hears why.
 */
export function requestBodySource(request: IncomingMessage, limit: number, onFailure: (reason: 'over-limit' | 'aborted') => void): RequestBody {
  const chunks: Buffer[] = [];
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
  const fail = (reason: 'over-limit' | 'aborted', message: string) => {
    if (failure !== undefined || ended) return;
    failure = message;
    chunks.length = 0;
    buffered = 0;
    wake();
    onFailure(reason);
  };
  request.on('data', (chunk: Buffer) => {
    if (failure !== undefined) return;
    received += chunk.length;
    if (received > limit) return fail('over-limit', `the request body is over the ${limit}-byte limit`);
    chunks.push(chunk);
    buffered += chunk.length;
    if (buffered >= READ_AHEAD_BYTES) request.pause();
    wake();
  });
  request.on('end', () => {
    ended = true;
    wake();
  });
  request.on('close', () => {
    if (!request.complete) fail('aborted', 'the client went away before sending the whole body');
  });
  return {
    get received() {
      return received;
    },
    take(max) {
      if (chunks.length === 0) return ended || failure !== undefined ? undefined : new Uint8Array();
      const first = chunks[0]!;
      const chunk = first.length <= max ? chunks.shift()! : first.subarray(0, max);
      if (chunk !== first) chunks[0] = first.subarray(max);
      buffered -= chunk.length;
      if (buffered < READ_AHEAD_BYTES / 2 && request.isPaused()) request.resume();
      return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    },
    readable: () => chunks.length > 0 || ended || failure !== undefined,
    whenReadable: () => (chunks.length > 0 || ended || failure !== undefined ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
    failure: () => failure,
  };
}

/** Sends the head of a guest's response: its status and headers, values as the bytes it gave. */
export function writeResponseHead(response: ServerResponse, answer: OutgoingResponse): void {
  const headers: string[] = [];
  for (const [name, value] of answer.headers().entries()) headers.push(name, Buffer.from(value).toString('latin1'));
  response.writeHead(answer.statusCode(), headers);
}

/**
 * The guest's response body, written to the socket as the guest writes it, with the socket's
 * back-pressure. The latest chunk is held until the guest writes again, finishes, or yields: a
 * body written in one piece then goes out with its head in one write, with a content-length,
 * rather than as a chunked head, a chunk and a terminator (which cost a third of a small
 * request).
 */
export function responseBodyConsumer(response: ServerResponse): BodyConsumer {
  // A gone client takes anything: the guest's next write then hears that it failed.
  const gone = () => response.destroyed || response.writableEnded;
  let held: Uint8Array | undefined;
  let flushQueued = false;
  const flush = () => {
    flushQueued = false;
    if (held && !gone()) response.write(held);
    held = undefined;
  };
  return {
    write: (chunk) => {
      if (gone()) return;
      if (held) response.write(held);
      held = chunk;
      if (!flushQueued) {
        flushQueued = true;
        // Runs when the guest returns or suspends (JSPI), whichever comes first.
        queueMicrotask(flush);
      }
    },
    capacity: () => (gone() ? 1 << 16 : Math.max(0, response.writableHighWaterMark - response.writableLength - (held?.length ?? 0))),
    whenWritable: () =>
      gone() ? Promise.resolve() : new Promise<void>((resolve) => {
        flush();
        if (!response.writableNeedDrain) return resolve();
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      }),
    failure: () => (response.destroyed ? 'the client went away' : undefined),
    finish: (trailers) => {
      if (gone()) return;
      if (trailers && trailers.length > 0) {
        flush();
        response.addTrailers(trailers.map(([name, value]): [string, string] => [name, Buffer.from(value).toString('latin1')]));
        return void response.end();
      }
      const last = held;
      held = undefined;
      if (last) response.end(last);
      else response.end();
    },
  };
}
