import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { report } from './report.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin', 'badger.js');

async function timeBuild(dirs: string[], extra: string[]): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [BIN, 'build', ...dirs, ...extra], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return performance.now() - started;
}

/**
 * `npm run build:actors` on unchanged sources, against a forced rebuild of the same actors.
 * The goal is on the value: the unchanged run takes under a second.
 */
export async function buildCacheScenario(): Promise<void> {
  const actors = join(ROOT, 'actors-src');
  const dirs = (await readdir(actors, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => join(actors, entry.name));
  const forced = await timeBuild(dirs, ['--force']);
  const unchanged = await timeBuild(dirs, []);
  report('build-cache', 'unchanged-rebuild-ms', unchanged, forced, { op: '<', target: 1000, on: 'value' });
}
