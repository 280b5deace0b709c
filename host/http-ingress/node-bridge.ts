import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyConsumer, IncomingRequestParts, OutgoingResponse } from '../wasi/http.ts';
import { streamSource, type StreamSource } from '../wasi/io.ts';

const NO_BODY = new Uint8Array();

export type RequestBody = StreamSource;

/**
 * A request body as it arrives, never held whole (see streamSource). Past `limit` bytes, or when
 * the client goes away, reads fail and `onFailure` hears why.
 */
export function requestBodySource(request: IncomingMessage, limit: number, onFailure: (reason: 'over-limit' | 'aborted') => void): RequestBody {
  // node:http's request is a stream of Buffers, which are Uint8Arrays.
  const body = streamSource(request, limit, `the request body is over the ${limit}-byte limit`, (_message, isOverLimit) => onFailure(isOverLimit ? 'over-limit' : 'aborted'));
  request.on('close', () => {
    if (!request.complete) body.fail('the client went away before sending the whole body');
  });
  return body;
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
