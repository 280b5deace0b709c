// fetcher: GET /fetch?url=<url> fetches the URL and answers its status and length as JSON; POST
// sends the request's body on to the URL as it arrives. The host sends only to the hosts the
// actor's link to the http-client provider allows; any other answers 502 with the wasi:http error
// code (HTTP-request-denied).
//
// It exports wasi:http/incoming-handler and calls wasi:http/outgoing-handler itself, rather than
// listening for the fetch event and calling fetch(): StarlingMonkey gives a fetch-event actor a
// fresh instance for every request (about 10 ms), and its fetch() reports every failure alike.
import { handle as send } from 'wasi:http/outgoing-handler@0.2.0';
import {
  Fields,
  OutgoingBody,
  OutgoingRequest,
  OutgoingResponse,
  ResponseOutparam,
  type ErrorCode,
  type IncomingRequest,
  type IncomingResponse,
  type InputStream,
  type OutputStream,
} from 'wasi:http/types@0.2.0';

const READ_CHUNK = 65536n;
// wasi:io's blocking-write-and-flush takes at most 4 KiB a call.
const WRITE_CHUNK = 4096;

export const incomingHandler = {
  handle(request: IncomingRequest, responseOut: ResponseOutparam): void {
    const target = new URL(request.pathWithQuery() ?? '/', 'http://fetcher').searchParams.get('url');
    if (!target) return respond(responseOut, 400, { error: 'use /fetch?url=<url>' });
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return respond(responseOut, 400, { error: `${target} is not a URL` });
    }
    try {
      const response = forward(request, url);
      respond(responseOut, 200, { status: response.status(), length: drain(response.consume().stream()) });
    } catch (error) {
      respond(responseOut, 502, { error: describe(error) });
    }
  },
};

/** Sends the request on to `url` (a POST with the incoming body, streamed), and waits for the answer's head. */
function forward(incoming: IncomingRequest, url: URL): IncomingResponse {
  const isPost = incoming.method().tag === 'post';
  const outgoing = new OutgoingRequest(new Fields());
  outgoing.setMethod(isPost ? { tag: 'post' } : { tag: 'get' });
  outgoing.setScheme(url.protocol === 'https:' ? { tag: 'HTTPS' } : { tag: 'HTTP' });
  outgoing.setAuthority(url.host);
  outgoing.setPathWithQuery(`${url.pathname}${url.search}`);
  const body = outgoing.body();
  // A GET's empty body is finished before it is sent, so it goes out with no body at all; a POST's
  // is written after, as it arrives, while the request is already on its way.
  if (!isPost) OutgoingBody.finish(body, undefined);
  const future = send(outgoing, undefined);
  if (isPost) {
    const sink = body.write();
    copy(incoming.consume().stream(), sink);
    // The stream is a child of the body: it must be gone before the body is finished.
    sink[Symbol.dispose]();
    OutgoingBody.finish(body, undefined);
  }
  future.subscribe().block();
  const outcome = future.get();
  if (outcome === undefined || outcome.tag === 'err') throw new Error('the response was taken already');
  if (outcome.val.tag === 'err') throw outcome.val.val;
  return outcome.val.val;
}

function copy(source: InputStream, sink: OutputStream): void {
  for (;;) {
    const chunk = readOrEnd(source);
    if (chunk === undefined) return;
    for (let at = 0; at < chunk.length; at += WRITE_CHUNK) sink.blockingWriteAndFlush(chunk.subarray(at, at + WRITE_CHUNK));
  }
}

/** Counts a body's bytes as they arrive, so a large one is never held whole. */
function drain(source: InputStream): number {
  let length = 0;
  for (let chunk = readOrEnd(source); chunk !== undefined; chunk = readOrEnd(source)) length += chunk.length;
  return length;
}

/** The next bytes, or undefined once the stream is closed. */
function readOrEnd(source: InputStream): Uint8Array | undefined {
  try {
    return source.blockingRead(READ_CHUNK);
  } catch (error) {
    if ((error as { payload?: { tag?: string } }).payload?.tag === 'closed') return undefined;
    throw error;
  }
}

/** A failure as the caller should read it: a wasi:http error code by its name. */
function describe(error: unknown): string {
  const code = ((error as { payload?: ErrorCode }).payload ?? error) as ErrorCode | { tag?: undefined };
  if (typeof code === 'object' && code !== null && typeof code.tag === 'string') {
    const detail = 'val' in code && code.val !== undefined ? `: ${JSON.stringify(code.val, (_key, value) => (typeof value === 'bigint' ? String(value) : value))}` : '';
    return `${code.tag}${detail}`;
  }
  return String(error);
}

function respond(responseOut: ResponseOutparam, status: number, body: unknown): void {
  const headers = new Fields();
  headers.append('content-type', new TextEncoder().encode('application/json'));
  const response = new OutgoingResponse(headers);
  response.setStatusCode(status);
  const outgoing = response.body();
  const stream = outgoing.write();
  stream.blockingWriteAndFlush(new TextEncoder().encode(`${JSON.stringify(body)}\n`));
  stream[Symbol.dispose]();
  OutgoingBody.finish(outgoing, undefined);
  ResponseOutparam.set(responseOut, { tag: 'ok', val: response });
}
