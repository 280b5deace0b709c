/** Pure decoders of what a display shows, into one byte per pixel (1 lit, 0 dark), rows top to bottom. */

function base64Bytes(base64: string): Uint8Array {
  const text = atob(base64);
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** A snapshot's rows: `ceil(width / 8)` bytes a row, most significant bit leftmost. */
export function pixelsFromRows(bitsBase64: string, width: number, height: number): Uint8Array {
  const bytes = base64Bytes(bitsBase64);
  const stride = Math.ceil(width / 8);
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = (bytes[y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1;
  return pixels;
}

/** An `oled_frame` event's bytes, in SSD1306 page layout: `width` bytes per 8-row page, bit 0 at the top. */
export function pixelsFromPages(bytesBase64: string, width: number, height: number): Uint8Array {
  const bytes = base64Bytes(bytesBase64);
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = (bytes[(y >> 3) * width + x]! >> (y & 7)) & 1;
  return pixels;
}
