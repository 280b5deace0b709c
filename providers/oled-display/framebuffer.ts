import { CELL_HEIGHT, CELL_WIDTH, GLYPH_HEIGHT, GLYPH_WIDTH, glyphColumns } from './font.ts';

export type Color = 'off' | 'on' | 'toggle';
export type PanelHeight = 32 | 64;

export interface Dimensions {
  readonly width: number;
  readonly height: number;
}

/** Columns `from` to `to` (inclusive) of one 8-row page changed since the last flush. */
export interface DirtySpan {
  readonly page: number;
  readonly from: number;
  readonly to: number;
}

export const PANEL_WIDTH = 128;
export const MAX_TEXT_SCALE = 8;

/**
 * A 1-bit frame in the SSD1306's own layout: pages of 8 rows, one byte per column and page, bit 0
 * at the top. Drawing clips at the edges and remembers, per page, the span of columns it changed,
 * so that a flush sends only those. Pure: no I/O.
 */
export class Framebuffer {
  readonly width = PANEL_WIDTH;
  readonly height: PanelHeight;
  readonly pages: number;
  readonly bytes: Uint8Array;
  readonly #dirty: ({ from: number; to: number } | undefined)[];

  constructor(height: PanelHeight = 64) {
    this.height = height;
    this.pages = height / 8;
    this.bytes = new Uint8Array(this.width * this.pages);
    this.#dirty = new Array(this.pages).fill(undefined);
  }

  getPixel(x: number, y: number): boolean {
    if (!this.#inside(x, y)) return false;
    return (this.bytes[(y >> 3) * this.width + x]! & (1 << (y & 7))) !== 0;
  }

  setPixel(x: number, y: number, color: Color): void {
    if (!this.#inside(x, y)) return;
    const index = (y >> 3) * this.width + x;
    const bit = 1 << (y & 7);
    const before = this.bytes[index]!;
    const after = color === 'on' ? before | bit : color === 'off' ? before & ~bit : before ^ bit;
    if (after === before) return;
    this.bytes[index] = after;
    this.#touch(y >> 3, x, x);
  }

  clear(color: Color = 'off'): void {
    for (let page = 0; page < this.pages; page++) {
      for (let x = 0; x < this.width; x++) {
        const index = page * this.width + x;
        const before = this.bytes[index]!;
        const after = color === 'on' ? 0xff : color === 'off' ? 0 : before ^ 0xff;
        if (after !== before) {
          this.bytes[index] = after;
          this.#touch(page, x, x);
        }
      }
    }
  }

  /** Bresenham: every pixel of the line once, ends included, so `toggle` flips each exactly once. */
  line(x0: number, y0: number, x1: number, y1: number, color: Color): void {
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let error = dx + dy;
    for (let x = x0, y = y0; ; ) {
      this.setPixel(x, y, color);
      if (x === x1 && y === y1) return;
      const doubled = 2 * error;
      if (doubled >= dy) {
        error += dy;
        x += sx;
      }
      if (doubled <= dx) {
        error += dx;
        y += sy;
      }
    }
  }

  /** An outline visits each edge pixel once (corners included), so `toggle` leaves no gaps. */
  rectangle(x: number, y: number, width: number, height: number, filled: boolean, color: Color): void {
    if (width <= 0 || height <= 0) return;
    const right = x + width - 1;
    const bottom = y + height - 1;
    if (filled) {
      for (let row = Math.max(y, 0); row <= Math.min(bottom, this.height - 1); row++) {
        for (let column = Math.max(x, 0); column <= Math.min(right, this.width - 1); column++) this.setPixel(column, row, color);
      }
      return;
    }
    for (let column = x; column <= right; column++) {
      this.setPixel(column, y, color);
      if (bottom !== y) this.setPixel(column, bottom, color);
    }
    for (let row = y + 1; row < bottom; row++) {
      this.setPixel(x, row, color);
      if (right !== x) this.setPixel(right, row, color);
    }
  }

  /**
   * Copies a bitmap: rows top to bottom, each `ceil(width / 8)` bytes, most significant bit leftmost.
   * Set bits draw in `color`; clear bits leave the frame alone.
   */
  blit(x: number, y: number, width: number, height: number, bits: Uint8Array, color: Color): void {
    const stride = Math.ceil(width / 8);
    if (bits.length < stride * height) throw new RangeError(`a ${width}×${height} bitmap needs ${stride * height} bytes, got ${bits.length}`);
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        if (bits[row * stride + (column >> 3)]! & (0x80 >> (column & 7))) this.setPixel(x + column, y + row, color);
      }
    }
  }

  /**
   * Draws text in the built-in font, each font pixel `scale` pixels square; `\n` starts a new line.
   * Only the glyphs' lit pixels are drawn. Returns the size the text took, as `measureText` does.
   */
  text(x: number, y: number, text: string, scale: number, color: Color): Dimensions {
    checkScale(scale);
    [...text.split('\n')].forEach((line, lineIndex) => {
      [...line].forEach((char, index) => {
        const columns = glyphColumns(char);
        const left = x + index * CELL_WIDTH * scale;
        const top = y + lineIndex * CELL_HEIGHT * scale;
        for (let column = 0; column < GLYPH_WIDTH; column++) {
          for (let row = 0; row < GLYPH_HEIGHT; row++) {
            if (columns[column]! & (1 << row)) this.rectangle(left + column * scale, top + row * scale, scale, scale, true, color);
          }
        }
      });
    });
    return measureText(text, scale);
  }

  /** The changed spans since the last call, and forgets them: what a flush must send. */
  takeDirty(): DirtySpan[] {
    const spans: DirtySpan[] = [];
    this.#dirty.forEach((span, page) => span && spans.push({ page, from: span.from, to: span.to }));
    this.#dirty.fill(undefined);
    return spans;
  }

  /** Every page counts as changed: the next flush sends the whole frame (after a reset, a new panel). */
  markAllDirty(): void {
    for (let page = 0; page < this.pages; page++) this.#dirty[page] = { from: 0, to: this.width - 1 };
  }

  #inside(x: number, y: number): boolean {
    return Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < this.width && y < this.height;
  }

  #touch(page: number, from: number, to: number): void {
    const span = this.#dirty[page];
    if (!span) this.#dirty[page] = { from, to };
    else {
      span.from = Math.min(span.from, from);
      span.to = Math.max(span.to, to);
    }
  }
}

/** The size text takes in 6×8 cells at `scale`: the longest line, and one cell height per line. */
export function measureText(text: string, scale: number): Dimensions {
  checkScale(scale);
  const lines = text.split('\n');
  const longest = Math.max(...lines.map((line) => [...line].length));
  return { width: longest * CELL_WIDTH * scale, height: lines.length * CELL_HEIGHT * scale };
}

/**
 * Breaks text into lines no wider than `maxWidth` pixels at `scale`, at spaces where it can; a
 * word longer than a line is cut. Existing line breaks are kept.
 */
export function wrapText(text: string, maxWidth: number, scale: number): string[] {
  checkScale(scale);
  const perLine = Math.max(1, Math.floor(maxWidth / (CELL_WIDTH * scale)));
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ').filter((part) => part !== '')) {
      let rest = [...word];
      if (line !== '' && [...line].length + 1 + rest.length <= perLine) {
        line += ` ${word}`;
        continue;
      }
      if (line !== '') lines.push(line);
      while (rest.length > perLine) {
        lines.push(rest.slice(0, perLine).join(''));
        rest = rest.slice(perLine);
      }
      line = rest.join('');
    }
    lines.push(line);
  }
  return lines;
}

function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_TEXT_SCALE) throw new RangeError(`text scale ${scale} is not a whole number from 1 to ${MAX_TEXT_SCALE}`);
}
