// hello: answers GET / with a greeting and GET /echo?msg=… with the message, HTML-escaped.
// The fetch event is the web's own API; the toolchain maps it onto wasi:http/incoming-handler.

interface FetchEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

const GREETING = 'Hello from awesome-badger!\n';

addEventListener('fetch', (event) => (event as unknown as FetchEvent).respondWith(handle((event as unknown as FetchEvent).request)));

function handle(request: Request): Response {
  if (request.method !== 'GET') {
    return new Response('Only GET is served here.\n', { status: 405, headers: { allow: 'GET' } });
  }
  const url = new URL(request.url);
  if (url.pathname === '/') return new Response(GREETING, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (url.pathname === '/echo') {
    const message = url.searchParams.get('msg') ?? '';
    return new Response(`<!doctype html>\n<p>${escapeHtml(message)}</p>\n`, { headers: { 'content-type': 'text/html; charset=utf-8' } });
  }
  return new Response(`Nothing at ${url.pathname}.\n`, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function escapeHtml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (char) => entities[char]!);
}
