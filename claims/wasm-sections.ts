import { ClaimsError } from './errors.ts';

/** The custom section wascap writes since 0.9, and the one it wrote before. */
export const TOKEN_SECTION = 'wasmcloud_jwt';
export const LEGACY_TOKEN_SECTION = 'jwt';
const TOKEN_SECTIONS: ReadonlySet<string> = new Set([TOKEN_SECTION, LEGACY_TOKEN_SECTION]);

export type WasmKind = 'module' | 'component';

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const MODULE_HEADER = Uint8Array.of(...MAGIC, 0x01, 0x00, 0x00, 0x00);
const COMPONENT_HEADER = Uint8Array.of(...MAGIC, 0x0d, 0x00, 0x01, 0x00);
const CUSTOM_SECTION_ID = 0;
// In a component, these section ids hold a whole nested core module or component.
const NESTED_MODULE_SECTION_ID = 1;
const NESTED_COMPONENT_SECTION_ID = 4;

interface Section {
  readonly id: number;
  /** Offsets of the section's payload (after the id and size). */
  readonly start: number;
  readonly end: number;
}

export function wasmKind(bytes: Uint8Array): WasmKind {
  return readHeader(bytes, 0, bytes.length);
}

/**
 * The artifact with every claims section removed at every nesting depth, re-encoded the way wascap
 * does it (standard headers, minimal LEB128 sizes), so that hashing it gives wascap's module hash.
 */
export function stripTokenSections(bytes: Uint8Array): Uint8Array {
  return concatBytes(rebuildWithoutTokens(bytes, 0, bytes.length));
}

/** The token in a top-level (depth 0) claims section, if there is one. */
export function readTopLevelToken(bytes: Uint8Array): string | undefined {
  readHeader(bytes, 0, bytes.length);
  let legacy: string | undefined;
  for (const section of readSections(bytes, 8, bytes.length)) {
    if (section.id !== CUSTOM_SECTION_ID) continue;
    const { name, dataStart } = readCustomSectionName(bytes, section);
    if (!TOKEN_SECTIONS.has(name)) continue;
    const token = decodeUtf8(bytes.subarray(dataStart, section.end), `custom section "${name}"`);
    if (name === TOKEN_SECTION) return token;
    legacy ??= token;
  }
  return legacy;
}

export function appendCustomSection(bytes: Uint8Array, name: string, data: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const nameLength = encodeU32(nameBytes.length);
  const payloadLength = nameLength.length + nameBytes.length + data.length;
  return concatBytes([bytes, Uint8Array.of(CUSTOM_SECTION_ID, ...encodeU32(payloadLength), ...nameLength), nameBytes, data]);
}

// Chunks, not one growing array: components are 12 MB and spreading them overflows the stack.
function rebuildWithoutTokens(bytes: Uint8Array, start: number, end: number): Uint8Array[] {
  const kind = readHeader(bytes, start, end);
  const out: Uint8Array[] = [kind === 'component' ? COMPONENT_HEADER : MODULE_HEADER];
  for (const section of readSections(bytes, start + 8, end)) {
    if (section.id === CUSTOM_SECTION_ID && TOKEN_SECTIONS.has(readCustomSectionName(bytes, section).name)) {
      continue;
    }
    const nests = kind === 'component' &&
      (section.id === NESTED_MODULE_SECTION_ID || section.id === NESTED_COMPONENT_SECTION_ID);
    if (!nests) {
      out.push(sectionHeader(section.id, section.end - section.start), bytes.subarray(section.start, section.end));
      continue;
    }
    const nested = rebuildWithoutTokens(bytes, section.start, section.end);
    // wascap files a nested artifact by its own header, whatever section id held it.
    const id = nested[0] === COMPONENT_HEADER ? NESTED_COMPONENT_SECTION_ID : NESTED_MODULE_SECTION_ID;
    out.push(sectionHeader(id, totalLength(nested)), ...nested);
  }
  return out;
}

function sectionHeader(id: number, payloadLength: number): Uint8Array {
  return Uint8Array.of(id, ...encodeU32(payloadLength));
}

function totalLength(chunks: readonly Uint8Array[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}

function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(totalLength(chunks));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function readHeader(bytes: Uint8Array, start: number, end: number): WasmKind {
  if (end - start < 8 || MAGIC.some((byte, i) => bytes[start + i] !== byte)) {
    throw new ClaimsError('WASM_MALFORMED', `not a WebAssembly file: no "\\0asm" header at offset ${start}`);
  }
  const version = bytes[start + 4]! | (bytes[start + 5]! << 8);
  const layer = bytes[start + 6]! | (bytes[start + 7]! << 8);
  if (layer === 0 && version === 1) return 'module';
  if (layer === 1) return 'component';
  throw new ClaimsError('WASM_MALFORMED', `unsupported WebAssembly version ${version} (layer ${layer}) at offset ${start}`);
}

function* readSections(bytes: Uint8Array, start: number, end: number): Generator<Section> {
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
    yield { id, start: payloadStart, end: payloadEnd };
    offset = payloadEnd;
  }
}

function readCustomSectionName(bytes: Uint8Array, section: Section): { name: string; dataStart: number } {
  const length = readU32(bytes, section.start, section.end);
  const nameStart = section.start + length.length;
  const nameEnd = nameStart + length.value;
  if (nameEnd > section.end) {
    throw new ClaimsError('WASM_MALFORMED', `custom section at offset ${section.start} has a name longer than itself`);
  }
  return { name: decodeUtf8(bytes.subarray(nameStart, nameEnd), 'custom section name'), dataStart: nameEnd };
}

function readU32(bytes: Uint8Array, offset: number, end: number): { value: number; length: number } {
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

function encodeU32(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest & 0x7f;
    rest = Math.floor(rest / 128);
    out.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return out;
}

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ClaimsError('WASM_MALFORMED', `${what} is not valid UTF-8`);
  }
}
