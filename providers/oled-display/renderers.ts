import { OledError } from './errors.ts';
import { PNG } from 'pngjs';

/** What a display shows now, for `badger oled snapshot` and `watch`: the `snapshot` service's answer. */
export interface DisplaySnapshot {
  readonly panel: string;
  readonly width: number;
  readonly height: number;
  /** Rows top to bottom, `ceil(width / 8)` bytes each, most significant bit leftmost, base64. */
  readonly bits: string;
}

/** A snapshot as it arrives from another process, checked: a rogue host's answer draws nothing wrong. */
export function displaySnapshotFrom(answer: unknown): DisplaySnapshot {
  const snapshot = answer as Partial<DisplaySnapshot> | undefined;
  const fits =
    typeof snapshot === 'object' && snapshot !== null &&
    typeof snapshot.panel === 'string' && snapshot.panel.length <= 256 &&
    Number.isInteger(snapshot.width) && snapshot.width! > 0 && snapshot.width! <= 1024 &&
    Number.isInteger(snapshot.height) && snapshot.height! > 0 && snapshot.height! <= 1024 &&
    typeof snapshot.bits === 'string' && Buffer.from(snapshot.bits, 'base64').length === Math.ceil(snapshot.width! / 8) * snapshot.height!;
  if (!fits) throw new OledError('OLED_BAD_SNAPSHOT', 'the answer is not a display snapshot: {panel, width, height, bits} with width × height pixels');
  return snapshot as DisplaySnapshot;
}

/** A snapshot's pixels as rows of booleans. */
export function snapshotPixels(snapshot: DisplaySnapshot): boolean[][] {
  const bytes = Buffer.from(snapshot.bits, 'base64');
  const stride = Math.ceil(snapshot.width / 8);
  return Array.from({ length: snapshot.height }, (_, y) =>
    Array.from({ length: snapshot.width }, (_, x) => (bytes[y * stride + (x >> 3)]! & (0x80 >> (x & 7))) !== 0),
  );
}

/** Packs what `pixel` says into a snapshot. */
export function packSnapshot(panel: string, width: number, height: number, pixel: (x: number, y: number) => boolean): DisplaySnapshot {
  const stride = Math.ceil(width / 8);
  const bytes = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (pixel(x, y)) bytes[y * stride + (x >> 3)]! |= 0x80 >> (x & 7);
  }
  return { panel, width, height, bits: Buffer.from(bytes).toString('base64') };
}

/**
 * The panel as terminal text: each character is two pixels stacked (Unicode half blocks), and a
 * terminal cell is about twice as tall as wide, so the pixels come out square.
 */
export function renderHalfBlocks(pixels: readonly (readonly boolean[])[]): string[] {
  const lines: string[] = [];
  for (let y = 0; y < pixels.length; y += 2) {
    const top = pixels[y]!;
    const bottom = pixels[y + 1] ?? [];
    lines.push(top.map((lit, x) => (lit ? (bottom[x] ? '█' : '▀') : bottom[x] ? '▄' : ' ')).join(''));
  }
  return lines;
}

// A 2×2 block of pixels as one character: bit 1 top left, 2 top right, 4 bottom left, 8 bottom right.
const QUADRANTS = ' ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█';

/** The panel at half the size of `renderHalfBlocks`: each character is two by two pixels (Unicode quadrant blocks). */
export function renderQuadrants(pixels: readonly (readonly boolean[])[]): string[] {
  const lines: string[] = [];
  const lit = (x: number, y: number) => (pixels[y]?.[x] ? 1 : 0);
  for (let y = 0; y < pixels.length; y += 2) {
    let line = '';
    for (let x = 0; x < (pixels[0]?.length ?? 0); x += 2) line += QUADRANTS[lit(x, y) | (lit(x + 1, y) << 1) | (lit(x, y + 1) << 2) | (lit(x + 1, y + 1) << 3)];
    lines.push(line);
  }
  return lines;
}

/**
 * How `oled watch` draws a panel `width` pixels wide in a terminal `columns` wide (with a border
 * each side): full size, half size, or not at all, saying how wide it must be.
 */
export function terminalLayout(width: number, columns: number | undefined): { readonly size: 'full' | 'half' } | { readonly tooNarrow: string } {
  if (columns === undefined || columns >= width + 2) return { size: 'full' };
  if (columns >= width / 2 + 2) return { size: 'half' };
  return { tooNarrow: `the terminal is ${columns} columns wide: the panel needs ${width / 2 + 2} at half size (${width + 2} at full size)` };
}

/** Lit pixels in the pale blue of a typical SSD1306, on black. */
const LIT = [0xb0, 0xe0, 0xff] as const;

/** The panel as a PNG, each pixel a `scale`×`scale` square. */
export function renderPng(pixels: readonly (readonly boolean[])[], scale = 4): Buffer {
  const height = pixels.length;
  const width = pixels[0]?.length ?? 0;
  const png = new PNG({ width: width * scale, height: height * scale });
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const at = (y * width * scale + x) * 4;
      const lit = pixels[Math.floor(y / scale)]![Math.floor(x / scale)];
      png.data[at] = lit ? LIT[0] : 0;
      png.data[at + 1] = lit ? LIT[1] : 0;
      png.data[at + 2] = lit ? LIT[2] : 0;
      png.data[at + 3] = 0xff;
    }
  }
  return PNG.sync.write(png);
}
