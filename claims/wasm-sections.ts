import { ClaimsError } from './errors.ts';
import {
  COMPONENT_HEADER,
  concatBytes,
  DRAFT_COMPONENT_HEADER,
  encodeU32,
  MODULE_HEADER,
  readHeader,
  readSections,
  readU32,
  sectionHeader,
  totalLength,
  type Section,
  type WasmKind,
} from './wasm-binary.ts';

/** The custom section wascap writes since 0.9, and the one it wrote before. */
export const TOKEN_SECTION = 'wasmcloud_jwt';
export const LEGACY_TOKEN_SECTION = 'jwt';
const TOKEN_SECTIONS: ReadonlySet<string> = new Set([TOKEN_SECTION, LEGACY_TOKEN_SECTION]);


const CUSTOM_SECTION_ID = 0;
// In a component, these section ids hold a whole nested core module or component.
const NESTED_MODULE_SECTION_ID = 1;
const NESTED_COMPONENT_SECTION_ID = 4;

export function wasmKind(bytes: Uint8Array): WasmKind {
  return readHeader(bytes, 0, bytes.length);
}

/**
 * How the bytes that wascap hashes were laid out. Today (claims revision 3) it re-encodes them:
 * standard headers, minimal LEB128 sizes. At revision 2, artifacts were hashed with each section's
 * size bytes as written (LLVM pads them to 5 bytes), or, for components, with the draft header 0x0c.
 */
export type HashLayout = 'canonical' | 'sizes-as-written' | 'draft-component-header';

export const HASH_LAYOUTS: Readonly<Record<HashLayout, string>> = {
  canonical: 'the canonical re-encoding',
  'sizes-as-written': 'section sizes as written',
  'draft-component-header': 'the 0x0c component header',
};

/**
 * The artifact with every claims section removed at every nesting depth, laid out as wascap lays it
 * out before hashing (by default the way it does today), so that hashing it gives wascap's module hash.
 */
export function stripTokenSections(bytes: Uint8Array, layout: HashLayout = 'canonical'): Uint8Array {
  return concatBytes(strippedChunks(bytes, layout));
}

/** The same, as views into `bytes` and a few new headers: what a hash reads without a 12 MB copy. */
export function strippedChunks(bytes: Uint8Array, layout: HashLayout = 'canonical'): readonly Uint8Array[] {
  return rebuildWithoutTokens(bytes, 0, bytes.length, 0, layout);
}

/** Real components nest a few levels (a component, its modules, perhaps a component in it); far more is an attack on the stack. */
export const MAX_NESTING_DEPTH = 100;

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
function rebuildWithoutTokens(bytes: Uint8Array, start: number, end: number, depth: number, layout: HashLayout): Uint8Array[] {
  if (depth > MAX_NESTING_DEPTH) {
    throw new ClaimsError('WASM_MALFORMED', `the artifact nests components ${depth} deep (at byte ${start}); at most ${MAX_NESTING_DEPTH} levels are taken`);
  }
  const kind = readHeader(bytes, start, end);
  const header =
    layout === 'sizes-as-written' ? bytes.subarray(start, start + 8) : kind === 'module' ? MODULE_HEADER : layout === 'draft-component-header' ? DRAFT_COMPONENT_HEADER : COMPONENT_HEADER;
  const out: Uint8Array[] = [header];
  // A section kept whole keeps its size bytes as written; one whose payload changed gets a minimal size.
  const sizeOf = (section: Section, payloadLength: number) =>
    layout === 'sizes-as-written' && payloadLength === section.end - section.start ? bytes.subarray(section.offset, section.start) : sectionHeader(section.id, payloadLength);
  for (const section of readSections(bytes, start + 8, end)) {
    if (section.id === CUSTOM_SECTION_ID && TOKEN_SECTIONS.has(readCustomSectionName(bytes, section).name)) {
      continue;
    }
    const nests = kind === 'component' &&
      (section.id === NESTED_MODULE_SECTION_ID || section.id === NESTED_COMPONENT_SECTION_ID);
    if (!nests) {
      out.push(sizeOf(section, section.end - section.start), bytes.subarray(section.start, section.end));
      continue;
    }
    const nested = rebuildWithoutTokens(bytes, section.start, section.end, depth + 1, layout);
    // wascap files a nested artifact by its own header, whatever section id held it.
    const id = readHeader(bytes, section.start, section.end) === 'component' ? NESTED_COMPONENT_SECTION_ID : NESTED_MODULE_SECTION_ID;
    const length = totalLength(nested);
    out.push(id === section.id ? sizeOf(section, length) : sectionHeader(id, length), ...nested);
  }
  return out;
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

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ClaimsError('WASM_MALFORMED', `${what} is not valid UTF-8`);
  }
}
