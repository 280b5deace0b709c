// hello: answers GET / with a greeting and GET /echo?msg=… with the message, HTML-escaped.
// It exports wasi:http/incoming-handler itself, as a component written for `wasmtime serve` does,
// so one instance serves request after request. (An actor that listens for the web's fetch event,
// like counter, is simpler to write but gets a fresh instance for every request.)
import { Fields, OutgoingBody, OutgoingResponse, ResponseOutparam, type IncomingRequest } from 'wasi:http/types@0.2.10';

const GREETING = 'Hello from awesome-badger!\n';
const TEXT = 'text/plain; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

export const incomingHandler = {
  handle(request: IncomingRequest, responseOut: ResponseOutparam): void {
    const method = request.method();
    const url = new URL(request.pathWithQuery() ?? '/', 'http://hello');
    if (method.tag !== 'get') return respond(responseOut, 405, TEXT, 'Only GET is served here.\n', [['allow', 'GET']]);
    if (url.pathname === '/') return respond(responseOut, 200, TEXT, GREETING);
    if (url.pathname === '/echo') {
      const message = url.searchParams.get('msg') ?? '';
      return respond(responseOut, 200, HTML, `<!doctype html>\n<p>${escapeHtml(message)}</p>\n`);
    }
    respond(responseOut, 404, TEXT, `Nothing at ${url.pathname}.\n`);
  },
};

function respond(responseOut: ResponseOutparam, status: number, contentType: string, text: string, extraHeaders: [string, string][] = []): void {
  const encoder = new TextEncoder();
  const headers = new Fields();
  for (const [name, value] of [['content-type', contentType], ...extraHeaders]) headers.append(name!, encoder.encode(value));
  const response = new OutgoingResponse(headers);
  response.setStatusCode(status);
  const body = response.body();
  const stream = body.write();
  stream.blockingWriteAndFlush(encoder.encode(text));
  // The stream is a child of the body: it must be gone before the body is finished.
  stream[Symbol.dispose]();
  OutgoingBody.finish(body, undefined);
  ResponseOutparam.set(responseOut, { tag: 'ok', val: response });
}

function escapeHtml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (char) => entities[char]!);
}
