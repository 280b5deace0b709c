import { createHash } from 'node:crypto';
import { strippedChunks, type HashLayout } from './wasm-sections.ts';

/** wascap's module hash: SHA-256, upper-case hex, of the artifact with its claims sections removed, laid out as `layout` says. */
export function computeModuleHash(bytes: Uint8Array, layout: HashLayout = 'canonical'): string {
  const hash = createHash('sha256');
  for (const chunk of strippedChunks(bytes, layout)) hash.update(chunk);
  return hash.digest('hex').toUpperCase();
}

export function hashStripped(stripped: Uint8Array): string {
  return createHash('sha256').update(stripped).digest('hex').toUpperCase();
}
