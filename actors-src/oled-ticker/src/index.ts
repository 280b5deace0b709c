// oled-ticker: POST / with a text body draws the text on the display, inside a border: on one line
// at the largest scale that fits, or else word-wrapped onto as many lines as fit, scrolling through
// them when even the smallest scale has too many. DELETE / clears the display.
import { clear, flush, measureText, rectangle, size, text } from 'badger:oled/display@0.1.0';

interface FetchEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

const MARGIN = 3;
/** How long each step of a scroll stays on the glass. */
const SCROLL_STEP_MS = 200;
/** A scroll must end well inside the host's 10 s request deadline. */
const MAX_LINES = 40;

addEventListener('fetch', (event) => (event as unknown as FetchEvent).respondWith(handle((event as unknown as FetchEvent).request)));

async function handle(request: Request): Promise<Response> {
  try {
    if (request.method === 'DELETE') {
      clear('off');
      flush();
      return json({ cleared: true }, 200);
    }
    if (request.method !== 'POST') return json({ error: 'POST the text to show, or DELETE to clear the display' }, 405, { allow: 'POST, DELETE' });
    const message = (await request.text()).trim().replace(/\s+/g, ' ');
    if (message === '') return json({ error: 'the body is empty: send the text to show' }, 400);
    return await show(message);
  } catch (error) {
    const payload = (error as { payload?: { tag: string; val?: string } }).payload;
    return json({ error: payload ? `${payload.tag}${payload.val ? `: ${payload.val}` : ''}` : String(error) }, 502);
  }
}

async function show(message: string): Promise<Response> {
  const { width, height } = size();
  const inner = { width: width - 2 * MARGIN, height: height - 2 * MARGIN };
  for (let scale = 4; scale >= 1; scale--) {
    const extent = measureText(message, scale);
    if (extent.width <= inner.width && extent.height <= inner.height) {
      draw(width, height, [message], scale);
      return json({ shown: message, scale }, 200);
    }
  }
  // Whole words on each line where a scale allows it; at scale 1 a word too long for a line is cut.
  for (let scale = 4; scale >= 1; scale--) {
    const lines = wrap(message, Math.floor(inner.width / measureText('x', scale).width), scale === 1);
    if (lines && lines.length * measureText('x', scale).height <= inner.height) {
      draw(width, height, lines, scale);
      return json({ shown: message, scale, lines: lines.length }, 200);
    }
  }
  const lines = wrap(message, Math.floor(inner.width / measureText('x', 1).width), true)!;
  if (lines.length > MAX_LINES) return json({ error: `the text wraps onto ${lines.length} lines; at most ${MAX_LINES} scroll by` }, 413);
  const visible = Math.floor(inner.height / measureText('x', 1).height);
  for (let top = 0; top + visible <= lines.length; top++) {
    if (top > 0) await new Promise((resolve) => setTimeout(resolve, SCROLL_STEP_MS));
    draw(width, height, lines.slice(top, top + visible), 1);
  }
  return json({ shown: message, scale: 1, lines: lines.length, scrolled: true }, 200);
}

/** Each line centred, the block of them centred, inside a border; then shown. */
function draw(width: number, height: number, lines: readonly string[], scale: number): void {
  const lineHeight = measureText('x', scale).height;
  const top = Math.floor((height - lines.length * lineHeight) / 2);
  clear('off');
  rectangle(0, 0, width, height, false, 'on');
  lines.forEach((line, index) => {
    text(Math.floor((width - measureText(line, scale).width) / 2), top + index * lineHeight, line, scale, 'on');
  });
  flush();
}

/**
 * Greedy word wrap to `columns` characters (the font is fixed-width). Undefined when a word is
 * longer than a line and `cutWords` is false.
 */
function wrap(message: string, columns: number, cutWords: boolean): string[] | undefined {
  const lines: string[] = [];
  let line = '';
  for (let word of message.split(' ')) {
    if (word.length > columns) {
      if (!cutWords) return undefined;
      if (line) lines.push(line);
      while (word.length > columns) {
        lines.push(word.slice(0, columns));
        word = word.slice(columns);
      }
      line = word;
      continue;
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= columns) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(body)}\n`, { status, headers: { 'content-type': 'application/json', ...headers } });
}
