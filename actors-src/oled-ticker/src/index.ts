// oled-ticker: POST / with a text body draws the text centred on the display, inside a border, at
// the largest scale that fits, and shows it.
import { clear, flush, measureText, rectangle, size, text } from 'badger:oled/display@0.1.0';

interface FetchEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

const MARGIN = 3;

addEventListener('fetch', (event) => (event as unknown as FetchEvent).respondWith(handle((event as unknown as FetchEvent).request)));

async function handle(request: Request): Promise<Response> {
  if (request.method !== 'POST') {
    return json({ error: 'POST the text to show' }, 405, { allow: 'POST' });
  }
  const message = (await request.text()).trim();
  if (message === '') return json({ error: 'the body is empty: send the text to show' }, 400);
  try {
    const { width, height } = size();
    const scale = largestScaleThatFits(message, width - 2 * MARGIN, height - 2 * MARGIN);
    const extent = measureText(message, scale);
    clear('off');
    rectangle(0, 0, width, height, false, 'on');
    text(Math.floor((width - extent.width) / 2), Math.floor((height - extent.height) / 2), message, scale, 'on');
    flush();
    return json({ shown: message, scale }, 200);
  } catch (error) {
    const payload = (error as { payload?: { tag: string; val?: string } }).payload;
    return json({ error: payload ? `${payload.tag}${payload.val ? `: ${payload.val}` : ''}` : String(error) }, 502);
  }
}

function largestScaleThatFits(message: string, width: number, height: number): number {
  for (let scale = 4; scale > 1; scale--) {
    const extent = measureText(message, scale);
    if (extent.width <= width && extent.height <= height) return scale;
  }
  return 1;
}

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(body)}\n`, { status, headers: { 'content-type': 'application/json', ...headers } });
}
