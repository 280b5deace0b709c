import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { report } from './report.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin', 'badger.js');
const DEMO_ACTORS = ['hello', 'hello-wat', 'counter', 'echo', 'oled-ticker'];

/**
 * A cold `badger up --demo` (empty BADGER_HOME: no builds, no keys, no transpile cache) until every
 * demo URL answers, against the sum of the same actors' builds one at a time, cold, measured in the
 * same run. The first start does that building and more (transpiling, starting, linking), so a
 * ratio under 1 is what building side by side buys. The issue's goal: at most 0.75.
 */
export async function firstStartScenario(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'badger-bench-first-start-'));
  try {
    let sequential = 0;
    for (const name of DEMO_ACTORS) {
      const copy = join(work, 'one-at-a-time', name);
      await cp(join(ROOT, 'actors-src', name), copy, { recursive: true, filter: (path) => !path.includes(`${name}/build`) });
      const began = performance.now();
      await run(process.execPath, [BIN, 'build', copy], { env: { ...process.env, BADGER_HOME: join(work, 'builds-home') }, maxBuffer: 16 * 1024 * 1024 });
      sequential += performance.now() - began;
    }

    const home = join(work, 'first-start-home');
    const began = performance.now();
    const { stderr } = await run(process.execPath, [BIN, 'up', '--demo', '--detached'], { env: { ...process.env, BADGER_HOME: home }, maxBuffer: 16 * 1024 * 1024 });
    try {
      const urls = [...stderr.matchAll(/^demo: (\S+) serves (http:\/\/\S+)$/gm)];
      if (urls.length !== DEMO_ACTORS.length) throw new Error(`the demo printed ${urls.length} URLs:\n${stderr}`);
      await Promise.all(urls.map(async ([, name, url]) => {
        const response = await fetch(url!, name === 'oled-ticker' ? { method: 'POST', body: 'bench' } : {});
        if (response.status !== 200) throw new Error(`${name} at ${url} answered ${response.status}`);
      }));
      const firstStart = performance.now() - began;
      console.log(`first start: ${(firstStart / 1000).toFixed(1)} s until every demo URL answers; the five builds one at a time: ${(sequential / 1000).toFixed(1)} s`);
      report('first-start', 'demo-cold-ms', firstStart, sequential, { op: '<=', target: 0.75, on: 'ratio' });
    } finally {
      await run(process.execPath, [BIN, 'down'], { env: { ...process.env, BADGER_HOME: home } }).catch(() => {});
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
