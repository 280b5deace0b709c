import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor, type LoadedActor } from '../fixtures/instantiate-actor.ts';
import { builtActor } from './built-actors.ts';
import { request } from './http-request.ts';

type Call = [string, ...unknown[]];

/** A hand-made badger:oled display that records what the actor asks of it. */
function recordingDisplay(calls: Call[], failFlush = false) {
  const measure = (text: string, scale: number) => ({ width: text.length * 6 * scale, height: 8 * scale });
  return {
    'badger:oled/display': {
      size: () => ({ width: 128, height: 64 }),
      clear: (color: string) => void calls.push(['clear', color]),
      setPixel: (...args: unknown[]) => void calls.push(['setPixel', ...args]),
      line: (...args: unknown[]) => void calls.push(['line', ...args]),
      rectangle: (...args: unknown[]) => void calls.push(['rectangle', ...args]),
      text: (x: number, y: number, text: string, scale: number, color: string) => {
        calls.push(['text', x, y, text, scale, color]);
        return measure(text, scale);
      },
      measureText: measure,
      blit: (...args: unknown[]) => void calls.push(['blit', ...args]),
      setInverted: (...args: unknown[]) => void calls.push(['setInverted', ...args]),
      setContrast: (...args: unknown[]) => void calls.push(['setContrast', ...args]),
      setPower: (...args: unknown[]) => void calls.push(['setPower', ...args]),
      flush: () => {
        if (failFlush) throw { payload: { tag: 'device', val: 'i2c write failed' } };
        calls.push(['flush']);
      },
    },
  };
}

describe('oled-ticker (TypeScript, badger:oled + wasi:http)', () => {
  const calls: Call[] = [];
  let actor: LoadedActor;

  beforeAll(async () => {
    actor = await loadActor(builtActor('oled-ticker'), recordingDisplay(calls));
  });

  it('draws the posted text centred inside a border, then flushes', async () => {
    const response = await request(actor, 'POST', '/', 'hello');
    expect(response.status).toBe(200);
    // "hello" at scale 4 is 120×32: it fits 122×58, so it is the largest scale.
    expect(JSON.parse(response.text)).toEqual({ shown: 'hello', scale: 4 });
    expect(calls).toEqual([
      ['clear', 'off'],
      ['rectangle', 0, 0, 128, 64, false, 'on'],
      ['text', 4, 16, 'hello', 4, 'on'],
      ['flush'],
    ]);
  });

  it('falls back to a smaller scale for long text', async () => {
    calls.length = 0;
    const response = await request(actor, 'POST', '/', 'awesome-badger rocks');
    expect(JSON.parse(response.text).scale).toBe(1);
    expect(calls.find(([name]) => name === 'text')).toEqual(['text', 4, 28, 'awesome-badger rocks', 1, 'on']);
  });

  it('word-wraps text too long for one line onto as many centred lines as fit, and says so', async () => {
    calls.length = 0;
    const response = await request(actor, 'POST', '/', 'the quick brown fox jumps over the lazy dog');
    // At scale 1 a line holds 20 characters: three lines of 8 pixels, the block centred in 64.
    expect(JSON.parse(response.text)).toEqual({ shown: 'the quick brown fox jumps over the lazy dog', scale: 1, lines: 3 });
    expect(calls.filter(([name]) => name === 'text')).toEqual([
      ['text', 7, 20, 'the quick brown fox', 1, 'on'],
      ['text', 7, 28, 'jumps over the lazy', 1, 'on'],
      ['text', 55, 36, 'dog', 1, 'on'],
    ]);
    expect(calls.at(-1)).toEqual(['flush']);
  });

  it('scrolls through lines that do not fit, a line at a time, ending on the last ones', async () => {
    calls.length = 0;
    const words = Array.from({ length: 10 }, (_, index) => String.fromCharCode(97 + index).repeat(20));
    const response = await request(actor, 'POST', '/', words.join(' '));
    expect(JSON.parse(response.text)).toEqual({ shown: words.join(' '), scale: 1, lines: 10, scrolled: true });
    // Seven lines fit: the window moves from lines 1-7 to lines 4-10, a frame each.
    expect(calls.filter(([name]) => name === 'flush')).toHaveLength(4);
    const lastFrame = calls.slice(calls.findLastIndex(([name]) => name === 'clear'));
    expect(lastFrame.filter(([name]) => name === 'text').map((call) => call[3])).toEqual(words.slice(3));
  });

  it('refuses text that would scroll past the request deadline, with 413', async () => {
    const response = await request(actor, 'POST', '/', Array.from({ length: 41 }, () => 'x'.repeat(20)).join(' '));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toEqual({ error: 'the text wraps onto 41 lines; at most 40 scroll by' });
  });

  it('clears the display on DELETE', async () => {
    calls.length = 0;
    const response = await request(actor, 'DELETE', '/');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ cleared: true });
    expect(calls).toEqual([['clear', 'off'], ['flush']]);
  });

  it('refuses an empty body and other methods', async () => {
    expect((await request(actor, 'POST', '/', '   ')).status).toBe(400);
    expect((await request(actor, 'GET', '/')).status).toBe(405);
  });

  it('reports a display error as 502, and keeps serving', async () => {
    const failing = await loadActor(builtActor('oled-ticker'), recordingDisplay([], true));
    const response = await request(failing, 'POST', '/', 'hi');
    expect(response.status).toBe(502);
    expect(JSON.parse(response.text)).toEqual({ error: 'device: i2c write failed' });
    expect((await request(failing, 'POST', '/', 'again')).status).toBe(502);
  });
});
