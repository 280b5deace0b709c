// counter: counts requests per path in a key-value bucket, atomically, and answers with the new
// count as JSON. The bucket is whatever the link named "default" points at.
import { increment } from 'wasi:keyvalue/atomics@0.2.0-draft';
import { open } from 'wasi:keyvalue/store@0.2.0-draft';

interface FetchEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

addEventListener('fetch', (event) => (event as unknown as FetchEvent).respondWith(handle((event as unknown as FetchEvent).request)));

function handle(request: Request): Response {
  const path = new URL(request.url).pathname;
  try {
    const bucket = open('default');
    const count = increment(bucket, `counter:${path}`, 1n);
    return json({ path, count: Number(count) }, 200);
  } catch (error) {
    // A store failure arrives as the WIT error variant in `payload`.
    const payload = (error as { payload?: { tag: string; val?: string } }).payload;
    return json({ error: payload ? `${payload.tag}${payload.val ? `: ${payload.val}` : ''}` : String(error) }, 503);
  }
}

function json(body: unknown, status: number): Response {
  return new Response(`${JSON.stringify(body)}\n`, { status, headers: { 'content-type': 'application/json' } });
}
