import { describe, expect, it } from 'vitest';
import { Framebuffer, glyphColumns, hasGlyph, measureText, wrapText } from '../../../providers/oled-display/index.ts';

/** The frame as text rows, `#` lit: what a failing assertion should show. */
function picture(frame: Framebuffer, width: number, height: number): string[] {
  return Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) => (frame.getPixel(x, y) ? '#' : '.')).join(''));
}

describe('framebuffer', () => {
  it('has a glyph for every printable ASCII character, and draws anything else as ?', () => {
    for (let code = 0x20; code <= 0x7e; code++) expect(hasGlyph(String.fromCharCode(code))).toBe(true);
    expect(glyphColumns('é')).toEqual(glyphColumns('?'));
    expect(glyphColumns('\u0000')).toEqual(glyphColumns('?'));
    const frame = new Framebuffer(32);
    frame.text(0, 0, 'A', 1, 'on');
    expect(picture(frame, 6, 8)).toEqual(['.###..', '#...#.', '#...#.', '#####.', '#...#.', '#...#.', '#...#.', '......']);
  });

  it('scales text by whole pixels and measures it in 6×8 cells, line by line', () => {
    const frame = new Framebuffer(64);
    expect(frame.text(0, 0, 'I', 2, 'on')).toEqual({ width: 12, height: 16 });
    expect(picture(frame, 8, 2)).toEqual(['..######', '..######']);
    expect(measureText('ab\nlonger', 1)).toEqual({ width: 36, height: 16 });
    expect(() => measureText('x', 9)).toThrow(/scale 9/);
    expect(() => measureText('x', 0)).toThrow(RangeError);
  });

  it('wraps at spaces, cuts words longer than a line, and keeps line breaks', () => {
    expect(wrapText('the quick brown fox', 60, 1)).toEqual(['the quick', 'brown fox']);
    expect(wrapText('abcdefghijklmnop', 36, 1)).toEqual(['abcdef', 'ghijkl', 'mnop']);
    expect(wrapText('one\ntwo three', 128, 2)).toEqual(['one', 'two three']);
  });

  it('clips at every edge without error, and toggles each pixel of a line or outline once', () => {
    const frame = new Framebuffer(32);
    frame.line(-10, -10, 200, 200, 'on');
    frame.rectangle(120, 28, 20, 20, true, 'on');
    expect(frame.getPixel(31, 31)).toBe(true);
    expect(frame.getPixel(127, 31)).toBe(true);
    expect(frame.getPixel(128, 31)).toBe(false);

    const toggled = new Framebuffer(64);
    toggled.rectangle(0, 0, 4, 3, false, 'toggle');
    expect(picture(toggled, 5, 4)).toEqual(['####.', '#..#.', '####.', '.....']);
    toggled.line(0, 0, 3, 0, 'toggle');
    expect(picture(toggled, 5, 1)).toEqual(['.....']);
  });

  it('blits rows of bits, most significant first, and refuses a short bitmap', () => {
    const frame = new Framebuffer(64);
    frame.blit(1, 1, 10, 2, Uint8Array.from([0b1010_0000, 0b0100_0000, 0xff, 0xc0]), 'on');
    expect(picture(frame, 12, 3)).toEqual(['............', '.#.#......#.', '.##########.']);
    expect(() => frame.blit(0, 0, 10, 2, new Uint8Array(3), 'on')).toThrow(/needs 4 bytes, got 3/);
  });

  it('tracks per page the span of columns that changed, and only changes that are real', () => {
    const frame = new Framebuffer(64);
    frame.setPixel(10, 3, 'on');
    frame.setPixel(40, 5, 'on');
    frame.setPixel(20, 60, 'on');
    frame.setPixel(30, 61, 'off'); // already dark: no change
    expect(frame.takeDirty()).toEqual([
      { page: 0, from: 10, to: 40 },
      { page: 7, from: 20, to: 20 },
    ]);
    expect(frame.takeDirty()).toEqual([]);
    frame.setPixel(10, 3, 'on');
    expect(frame.takeDirty()).toEqual([]);
  });
});
