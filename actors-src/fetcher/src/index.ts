// fetcher: GET /fetch?url=<url> fetches the URL and answers its status and length as JSON; POST
// sends the request's body on to the URL as it arrives. The host sends only to the hosts the
// actor's link to the http-client provider allows; any other answers 502 with why.
interface FetchEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

addEventListener('fetch', (event) => (event as unknown as FetchEvent).respondWith(handle((event as unknown as FetchEvent).request)));

async function handle(request: Request): Promise<Response> {
  const target = new URL(request.url).searchParams.get('url');
  if (!target) return json({ error: 'use /fetch?url=<url>' }, 400);
  try {
    const sent = request.method === 'POST' ? { method: 'POST', body: request.body, duplex: 'half' } : { method: 'GET' };
    const response = await fetch(target, sent as RequestInit);
    // Counted as it arrives, so a large body is never held whole.
    let length = 0;
    const reader = response.body?.getReader();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      length += chunk.value.length;
    }
    return json({ status: response.status, length }, 200);
  } catch (error) {
    return json({ error: String(error) }, 502);
  }
}

function json(body: unknown, status: number): Response {
  return new Response(`${JSON.stringify(body)}\n`, { status, headers: { 'content-type': 'application/json' } });
}
