import { concatBytes, encodeU32, MODULE_HEADER, readHeader, readSections, readU32, sectionHeader } from '../claims/index.ts';
import { HostError } from './errors.ts';

export const WASM_PAGE_BYTES = 65_536;
const MEMORY_SECTION_ID = 5;

/**
 * A core module whose own memories may grow to `maxPages` at most. A guest that asks for more sees
 * `memory.grow` fail (and usually traps), instead of taking the host's memory. Node has no
 * per-thread cap on Wasm memory, so the limit is written into the module before it is compiled.
 */
export function limitMemory(module: Uint8Array, maxPages: number): Uint8Array {
  if (readHeader(module, 0, module.length) !== 'module') return module;
  const chunks: Uint8Array[] = [MODULE_HEADER];
  for (const section of readSections(module, 8, module.length)) {
    if (section.id !== MEMORY_SECTION_ID) {
      chunks.push(sectionHeader(section.id, section.end - section.start), module.subarray(section.start, section.end));
      continue;
    }
    const payload = limitedMemorySection(module, section.start, section.end, maxPages);
    chunks.push(sectionHeader(MEMORY_SECTION_ID, payload.length), payload);
  }
  return concatBytes(chunks);
}

function limitedMemorySection(bytes: Uint8Array, start: number, end: number, maxPages: number): Uint8Array {
  const count = readU32(bytes, start, end);
  let offset = start + count.length;
  const out: number[] = [...encodeU32(count.value)];
  for (let i = 0; i < count.value; i++) {
    const flags = bytes[offset++]!;
    // 64-bit memories are left alone: no toolchain here emits them.
    if (flags & 0b100) return bytes.slice(start, end);
    const min = readU32(bytes, offset, end);
    offset += min.length;
    let max = Infinity;
    if (flags & 0b1) {
      const declared = readU32(bytes, offset, end);
      offset += declared.length;
      max = declared.value;
    }
    if (min.value > maxPages) {
      throw new HostError('ACTOR_MEMORY_LIMIT', `the actor starts with ${min.value * WASM_PAGE_BYTES} bytes of memory, above its limit of ${maxPages * WASM_PAGE_BYTES}`);
    }
    out.push(flags | 0b1, ...encodeU32(min.value), ...encodeU32(Math.min(max, maxPages)));
  }
  return Uint8Array.from(out);
}
