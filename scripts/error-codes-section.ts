/**
 * The README's list of error codes, made from the registry (host/error-codes.ts). Run
 * `npm run docs:error-codes` after changing the registry; a test fails while the two differ.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { ERROR_CODES } from '../host/error-codes.ts';
import { withSection, type ReadmeSection } from './readme-section.ts';

export const SECTION_START = '<!-- error-codes: made by npm run docs:error-codes from host/error-codes.ts -->';
export const SECTION_END = '<!-- /error-codes -->';

export function errorCodesSection(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, meaning]) => `| \`${code}\` | ${meaning.replaceAll('|', '\\|')} |`);
  return [SECTION_START, '| code | meaning |', '|---|---|', ...rows, SECTION_END].join('\n');
}

const ERROR_CODES_SECTION: ReadmeSection = { start: SECTION_START, end: SECTION_END, make: errorCodesSection };

/** The README with its section replaced, or an error naming the missing markers. */
export function withErrorCodesSection(readme: string): string {
  return withSection(readme, ERROR_CODES_SECTION);
}

if (import.meta.main) {
  const path = new URL('../README.md', import.meta.url);
  await writeFile(path, withErrorCodesSection(await readFile(path, 'utf8')));
}
