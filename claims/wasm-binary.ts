import { ClaimsError } from './errors.ts';

/**
 * The few pieces of the WebAssembly binary format the project reads and writes: headers, the
 * section list, LEB128 sizes. Malformed input is a WASM_MALFORMED error, never a crash.
 */

export type WasmKind = 'module' | 'component';

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
export const MODULE_HEADER = Uint8Array.of(...MAGIC, 0x01, 0x00, 0x00, 0x00);
export const COMPONENT_HEADER = Uint8Array.of(...MAGIC, 0x0d, 0x00, 0x01, 0x00);
/** The component header as encoders wrote it before the component model's version 0x0d. */
export const DRAFT_COMPONENT_HEADER = Uint8Array.of(...MAGIC, 0x0c, 0x00, 0x01, 0x00);

export interface Section {
  readonly id: number;
  /** Offset of the section's id byte: its header (id and size, as written) runs from here to `start`. */
  readonly offset: number;
  /** Offsets of the section's payload (after the id and size). */
  readonly start: number;
  readonly end: number;
}

export function sectionHeader(id: number, payloadLength: number): Uint8Array {
  return Uint8Array.of(id, ...encodeU32(payloadLength));
}

export function totalLength(chunks: readonly Uint8Array[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(totalLength(chunks));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export function readHeader(bytes: Uint8Array, start: number, end: number): WasmKind {
  if (end - start < 8 || MAGIC.some((byte, i) => bytes[start + i] !== byte)) {
    throw new ClaimsError('WASM_MALFORMED', `not a WebAssembly file: no "\\0asm" header at offset ${start}`);
  }
  const version = bytes[start + 4]! | (bytes[start + 5]! << 8);
  const layer = bytes[start + 6]! | (bytes[start + 7]! << 8);
  if (layer === 0 && version === 1) return 'module';
  if (layer === 1) return 'component';
  throw new ClaimsError('WASM_MALFORMED', `unsupported WebAssembly version ${version} (layer ${layer}) at offset ${start}`);
}

export function* readSections(bytes: Uint8Array, start: number, end: number): Generator<Section> {
  let offset = start;
  while (offset < end) {
    const id = bytes[offset]!;
    const size = readU32(bytes, offset + 1, end);
    const payloadStart = offset + 1 + size.length;
    const payloadEnd = payloadStart + size.value;
    if (payloadEnd > end) {
      throw new ClaimsError(
        'WASM_MALFORMED',
        `section ${id} at offset ${offset} runs ${payloadEnd - end} bytes past the end (is the file truncated?)`,
      );
    }
    yield { id, offset, start: payloadStart, end: payloadEnd };
    offset = payloadEnd;
  }
}

export function readU32(bytes: Uint8Array, offset: number, end: number): { value: number; length: number } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (offset + i >= end) {
      throw new ClaimsError('WASM_MALFORMED', `a size at offset ${offset} is cut off (is the file truncated?)`);
    }
    const byte = bytes[offset + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (value > 0xffffffff) break;
      return { value, length: i + 1 };
    }
  }
  throw new ClaimsError('WASM_MALFORMED', `a size at offset ${offset} is not a valid LEB128 u32`);
}

export function encodeU32(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest & 0x7f;
    rest = Math.floor(rest / 128);
    out.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return out;
}
