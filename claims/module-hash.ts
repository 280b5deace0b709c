import { createHash } from 'node:crypto';
import { stripTokenSections, type HashLayout } from './wasm-sections.ts';

/** wascap's module hash: SHA-256, upper-case hex, of the artifact with its claims sections removed, laid out as `layout` says. */
export function computeModuleHash(bytes: Uint8Array, layout: HashLayout = 'canonical'): string {
  return hashStripped(stripTokenSections(bytes, layout));
}

export function hashStripped(stripped: Uint8Array): string {
  return createHash('sha256').update(stripped).digest('hex').toUpperCase();
}
