import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyConsumer, IncomingRequestParts, OutgoingResponse } from '../wasi/http.ts';
import type { ByteSource } from '../wasi/io.ts';

const NO_BODY = new Uint8Array();

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

/**
 * Sends a guest's response: its head (status, headers with values as the bytes it gave) and its
 * body as the guest writes it, with the socket's back-pressure. Nothing goes out until the guest
 * writes again, finishes, or returns or waits: so a body written in one piece goes out with its
 * head in one write with a content-length (a chunked head, chunk and terminator cost a third of a
 * small request), and a guest that traps before that still gets a clean 500. `refuse` hears of a
 * head node:http will not send (a malformed header), before anything was sent.
 */
export function sendGuestResponse(response: ServerResponse, answer: OutgoingResponse, refuse: (reason: string) => void): BodyConsumer {
  // A gone client takes anything: the guest's next write then hears that it failed.
  const gone = () => response.destroyed || response.writableEnded;
  let headSent = false;
  let held: Uint8Array | undefined;
  let pending: NodeJS.Immediate | undefined;
  const sendHead = (): boolean => {
    if (headSent) return true;
    headSent = true;
    const headers: string[] = [];
    for (const [name, value] of answer.headers().entries()) headers.push(name, Buffer.from(value).toString('latin1'));
    try {
      response.writeHead(answer.statusCode(), headers);
      return true;
    } catch (error) {
      refuse(`the actor's response head is invalid: ${(error as Error).message}`);
      return false;
    }
  };
  const flush = () => {
    pending = undefined;
    if (gone() || !sendHead()) return;
    if (held) response.write(held);
    held = undefined;
  };
  // Runs once the guest has returned or is suspended waiting (JSPI), after any trap is known.
  const flushSoon = () => (pending ??= setImmediate(flush));
  flushSoon();
  return {
    write: (chunk) => {
      if (gone()) return;
      if (held) {
        if (!sendHead()) return;
        response.write(held);
      }
      held = chunk;
      flushSoon();
    },
    capacity: () => (gone() ? 1 << 16 : Math.max(0, response.writableHighWaterMark - response.writableLength - (held?.length ?? 0))),
    whenWritable: () => {
      flush();
      if (gone() || !response.writableNeedDrain) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    },
    failure: () => (response.destroyed ? 'the client went away' : undefined),
    finish: (trailers) => {
      clearImmediate(pending);
      pending = undefined;
      if (gone() || !sendHead()) return;
      if (trailers && trailers.length > 0) {
        if (held) response.write(held);
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

/** Pure: node's flat raw header list as name-value pairs, in order, repeats kept. */
export function headerPairs(raw: readonly string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) result.push([raw[i]!, raw[i + 1]!]);
  return result;
}

/** Whether the request can carry a body: watching one that cannot costs a quarter of a small request. */
export function mayHaveBody(request: IncomingMessage): boolean {
  return Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
}

/** The request as the guest's wasi:http sees it; `body` is undefined for one that cannot have a body. */
export function incomingRequestParts(request: IncomingMessage, fallbackAuthority: string, body: RequestBody | undefined): IncomingRequestParts {
  return {
    method: request.method ?? 'GET',
    pathWithQuery: request.url ?? '/',
    scheme: 'http',
    authority: request.headers.host ?? fallbackAuthority,
    headers: headerPairs(request.rawHeaders),
    body: body ?? NO_BODY,
  };
}

/**
 * Sends the guest's response on `response` as soon as the handler sets it (see sendGuestResponse).
 * `finish`, once the handler has returned, ends a body the guest did not finish: what it wrote is
 * all there is.
 */
export function guestResponder(response: ServerResponse, refuse: (reason: string) => void): { readonly onResponse: (answer: OutgoingResponse) => void; readonly finish: () => void } {
  let answered: { readonly answer: OutgoingResponse; readonly sending: BodyConsumer } | undefined;
  return {
    onResponse: (answer) => {
      if (response.headersSent || response.destroyed) return;
      answered = { answer, sending: sendGuestResponse(response, answer, refuse) };
      answer.sendBodyTo(answered.sending);
    },
    finish: () => {
      if (answered && !answered.answer.finished) answered.sending.finish(undefined);
    },
  };
}
