import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERFACES, interfacesSection } from '../../scripts/interfaces-section.ts';
import { sectionIn } from '../../scripts/readme-section.ts';

describe("the README's table of standard interfaces", () => {
  it('is the one the ambient packages and the providers\' descriptors make', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    expect(sectionIn(readme, INTERFACES), "the README's interfaces differ from the code: run npm run docs:interfaces").toBe(interfacesSection());
  });

  it('lists each standard interface the issue names, with its versions', () => {
    const table = interfacesSection();
    for (const row of [
      '| `wasi:filesystem/preopens` | 0.2.x (every 0.2) | ambient',
      '| `wasi:sockets/tcp` | 0.2.x (every 0.2) | ambient',
      '| `wasi:config/runtime` | 0.2.0-draft, 0.2.0-rc.1 | ambient',
      '| `wasi:keyvalue/store` | 0.2.0-draft | claimed',
    ]) expect(table).toContain(row);
  });
});
