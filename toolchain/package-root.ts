import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding this package's package.json. Sources sit one level below it and compiled
 * files two (dist/…), so it is found by looking upwards rather than by a fixed relative path.
 */
export function packageRoot(): string {
  for (let dir = new URL('./', import.meta.url); dir.pathname !== '/'; dir = new URL('../', dir)) {
    if (existsSync(new URL('package.json', dir))) return fileURLToPath(dir);
  }
  throw new Error('cannot find the awesome-badger package.json above toolchain/');
}

/** This package's version, as its package.json says. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string }).version;
}

/** A sibling module's path, whether this code runs as TypeScript source or compiled JavaScript. */
export function siblingModule(name: string, from: string): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from);
}

/** The installed folder of a dependency, found from its entry point (many export no package.json). */
export function dependencyDir(name: string): string {
  let dir = new URL('./', import.meta.resolve(name));
  for (; dir.pathname !== '/'; dir = new URL('../', dir)) {
    const manifest = new URL('package.json', dir);
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) {
      return fileURLToPath(dir);
    }
  }
  throw new Error(`cannot find the installed folder of ${name}`);
}

export function dependencyVersion(name: string): string {
  return (JSON.parse(readFileSync(`${dependencyDir(name)}/package.json`, 'utf8')) as { version: string }).version;
}
