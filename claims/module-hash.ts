import { createHash } from 'node:crypto';
import { stripTokenSections } from './wasm-sections.ts';

/** wascap's module hash: SHA-256, upper-case hex, of the artifact with its claims sections removed. */
export function computeModuleHash(bytes: Uint8Array): string {
  return hashStripped(stripTokenSections(bytes));
}

export function hashStripped(stripped: Uint8Array): string {
  return createHash('sha256').update(stripped).digest('hex').toUpperCase();
}
