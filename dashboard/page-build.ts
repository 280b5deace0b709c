import { createHash } from 'node:crypto';
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PAGE_SOURCES = fileURLToPath(new URL('./web/', import.meta.url));

/** A hash of the page's sources: the built page is kept under it, and built again when they change. */
async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(PAGE_SOURCES)).sort()) {
    hash.update(name).update('\0').update(await readFile(join(PAGE_SOURCES, name))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The page, built with Vite into `cacheDir/<hash of its sources>`: once per change of the sources,
 * on the first `badger ui` after it, in a second or two.
 */
export async function builtPage(cacheDir: string): Promise<string> {
  const outDir = join(cacheDir, await sourceHash());
  const ready = await access(join(outDir, 'index.html')).then(
    () => true,
    () => false,
  );
  if (ready) return outDir;
  const { build } = await import('vite');
  await build({ root: PAGE_SOURCES, logLevel: 'warn', configFile: false, build: { outDir, emptyOutDir: true, assetsDir: 'assets' } });
  return outDir;
}
