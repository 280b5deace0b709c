import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dependencyDir, packageRoot } from './package-root.ts';

/** The project's own WIT packages: badger:actors, badger:oled, and the WASI drafts jco does not ship. */
export const PROJECT_WIT_DIR = join(packageRoot(), 'wit');
const ROOT_PACKAGE = 'badger-actors';
const STANDARD_WASI = ['wasi-http', 'wasi-io', 'wasi-clocks', 'wasi-random', 'wasi-cli', 'wasi-filesystem', 'wasi-sockets'];

/**
 * The wasi 0.2.x version the JavaScript engine was built against. Worlds must name exactly this
 * version, or componentize-js cannot match its own exports to them.
 */
export async function engineWasiVersion(): Promise<string> {
  const engine = join(dependencyDir('@bytecodealliance/componentize-js'), 'lib', 'starlingmonkey_embedding.wasm');
  const bytes = await readFile(engine);
  const marker = Buffer.from('wasi:http/incoming-handler@');
  const at = bytes.indexOf(marker);
  const match = at < 0 ? null : /^\d+\.\d+\.\d+/.exec(bytes.subarray(at + marker.length, at + marker.length + 16).toString('latin1'));
  if (!match) throw new Error(`cannot find the wasi:http version in ${engine}`);
  return match[0];
}

/** The standard WASI 0.2 packages that jco ships, in their newest 0.2.x release. */
async function jcoStandardWitDir(): Promise<string> {
  const builtin = join(dependencyDir('@bytecodealliance/jco'), 'lib', 'wit', 'builtin');
  const versions = (await readdir(builtin)).filter((name) => /^0\.2\.\d+$/.test(name));
  const withHttp = [];
  for (const version of versions) {
    if (await exists(join(builtin, version, 'wasi-http'))) withHttp.push(version);
  }
  const newest = withHttp.sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2])).pop();
  if (!newest) throw new Error(`jco ships no wasi:http 0.2 WIT under ${builtin}`);
  return join(builtin, newest);
}

/** Renames every wasi 0.2.x package reference to one version; the interfaces are compatible within 0.2. */
export function retargetWasiVersion(witText: string, version: string): string {
  return witText.replace(/(wasi:(?:http|io|clocks|random|cli|filesystem|sockets)(?:\/[a-z-]+)?)@0\.2\.\d+/g, `$1@${version}`);
}

/**
 * Lays out a WIT folder wasm-tools can resolve: the root package (the project's own `wit/`, or
 * badger:actors) and every other package under `deps/`. Built fresh each time, never committed.
 */
export async function assembleWitTree(target: string, projectWitDir: string | undefined): Promise<void> {
  const version = await engineWasiVersion();
  await rm(target, { recursive: true, force: true });
  await mkdir(join(target, 'deps'), { recursive: true });
  const ours = (await readdir(PROJECT_WIT_DIR)).filter((name) => !name.startsWith('.'));
  for (const name of ours) {
    const isRoot = !projectWitDir && name === ROOT_PACKAGE;
    await copyWit(join(PROJECT_WIT_DIR, name), isRoot ? target : join(target, 'deps', name), version);
  }
  if (projectWitDir) await copyWit(projectWitDir, target, version, ['deps']);
  const standard = await jcoStandardWitDir();
  for (const name of STANDARD_WASI) await copyWit(join(standard, name), join(target, 'deps', name), version);
}

async function copyWit(from: string, to: string, version: string, skip: readonly string[] = []): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (skip.includes(entry.name)) continue;
    if (entry.isDirectory()) {
      await cp(join(from, entry.name), join(to, entry.name), { recursive: true });
    } else if (entry.name.endsWith('.wit')) {
      await writeFile(join(to, entry.name), retargetWasiVersion(await readFile(join(from, entry.name), 'utf8'), version));
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
