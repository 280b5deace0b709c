import { ClaimsError } from './errors.ts';
import {
  COMPONENT_HEADER,
  concatBytes,
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
 * The artifact with every claims section removed at every nesting depth, re-encoded the way wascap
 * does it (standard headers, minimal LEB128 sizes), so that hashing it gives wascap's module hash.
 */
export function stripTokenSections(bytes: Uint8Array): Uint8Array {
  return concatBytes(rebuildWithoutTokens(bytes, 0, bytes.length, 0));
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
function rebuildWithoutTokens(bytes: Uint8Array, start: number, end: number, depth: number): Uint8Array[] {
  if (depth > MAX_NESTING_DEPTH) {
    throw new ClaimsError('WASM_MALFORMED', `the artifact nests components ${depth} deep (at byte ${start}); at most ${MAX_NESTING_DEPTH} levels are taken`);
  }
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
    const nested = rebuildWithoutTokens(bytes, section.start, section.end, depth + 1);
    // wascap files a nested artifact by its own header, whatever section id held it.
    const id = nested[0] === COMPONENT_HEADER ? NESTED_COMPONENT_SECTION_ID : NESTED_MODULE_SECTION_ID;
    out.push(sectionHeader(id, totalLength(nested)), ...nested);
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
