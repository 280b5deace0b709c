/**
 * The README's table of standard interfaces: each with the versions the host serves and how, made
 * from the ambient packages (host/import-resolution.ts) and the built-in providers' descriptors.
 * Run `npm run docs:interfaces` after changing either; a test fails while the two differ.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { BUILT_IN_PROVIDERS } from '../cli/provider-kinds.ts';
import { AMBIENT_PACKAGES, claimServing } from '../host/index.ts';
import { withSection, type ReadmeSection } from './readme-section.ts';

const versionsOf = (range: string) => (range === '^0.2.0' ? '0.2.x (every 0.2)' : range.split(' || ').join(', '));
const cell = (text: string) => text.replaceAll('|', '\\|');

export function interfacesSection(): string {
  const rows: string[] = [];
  for (const entry of AMBIENT_PACKAGES) {
    for (const [iface, how] of Object.entries(entry.interfaces)) rows.push(`| \`${entry.package}/${iface}\` | ${versionsOf(entry.versions)} | ambient: ${cell(how)} |`);
  }
  for (const kind of BUILT_IN_PROVIDERS) {
    for (const contract of kind.contracts) {
      for (const iface of contract.interfaces) {
        const claim = claimServing(iface);
        const typesOnly = Object.keys(contract.guestImports(() => undefined)[iface] ?? {}).length === 0;
        const claimed = typesOnly ? 'types only, needing no claim' : claim === iface ? `claimed (\`--cap ${iface}\`)` : `claimed with \`${claim}\` (\`--cap ${claim}\`)`;
        rows.push(`| \`${iface}\` | ${versionsOf(contract.versions)} | ${claimed}, then served by the \`${kind.name}\` provider through a link |`);
      }
    }
    for (const driven of kind.drives ?? []) {
      rows.push(`| \`${driven.name}\` (export) | ${versionsOf(driven.versions)} | claimed (\`--cap ${driven.name}\`), then called by the \`${kind.name}\` provider through a link |`);
    }
  }
  rows.push('| any other interface | any | claimed, then served through a link by an actor that exports it (functions only: an interface with resources needs a provider) |');
  return [INTERFACES.start, '| interface | versions | how it is served |', '|---|---|---|', ...rows, INTERFACES.end].join('\n');
}

export const INTERFACES: ReadmeSection = {
  start: "<!-- interfaces: made by npm run docs:interfaces from host/import-resolution.ts and the providers' descriptors -->",
  end: '<!-- /interfaces -->',
  make: interfacesSection,
};

if (import.meta.main) {
  const path = new URL('../README.md', import.meta.url);
  await writeFile(path, withSection(await readFile(path, 'utf8'), INTERFACES));
}
