/**
 * The stumbles a newcomer hit in the first hour, each done as they did it: a machine that has never
 * run badger, npx on the Node the machine ships, a typo on the command line, a project folder where
 * a .wasm file belongs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let home: string;
const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });

beforeAll(async () => {
  // A home that does not exist yet, as on a machine that has never run badger.
  home = join(await mkdtemp(join(tmpdir(), 'badger-first-hour-')), 'never-used', '.badger');
});

afterAll(async () => {
  await cli('down');
});

describe('a machine that has never run badger', () => {
  it('starts a detached host, making BADGER_HOME readable by its owner only', async () => {
    const up = await cli('up', '--detached');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/running in the background/);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect((await stat(join(home, 'host.log'))).isFile()).toBe(true);
  });

  it('answers a project folder given to start actor with ARTIFACT_IS_DIRECTORY and what to run', async () => {
    const run = await cli('start', 'actor', join(ROOT, 'actors-src', 'hello'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error\[ARTIFACT_IS_DIRECTORY\]: .*actors-src\/hello is a directory, not a component: .*run badger build .*actors-src\/hello/m);
  });
});

describe('the Node the machine ships', () => {
  it('is one the package says it runs on, as the README says, so npm does not warn (the bin hands over to Node 24)', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    // The system's own node, not the test runner's Node 24.
    const { stdout } = await promisify(execFile)('/usr/bin/node', ['--version']).catch(() => {
      throw new Error('no /usr/bin/node: install Debian\'s nodejs (apt-get install -y nodejs)');
    });
    expect(semver.satisfies(stdout.trim(), manifest.engines.node), `engines ${manifest.engines.node} leaves out ${stdout.trim()}`).toBe(true);
    const stated = /Node (\d+) or later and npm are all you need/.exec(await readFile(join(ROOT, 'README.md'), 'utf8'))?.[1];
    expect(semver.minVersion(manifest.engines.node)?.major).toBe(Number(stated));
    const { stdout: version, stderr } = await promisify(execFile)('npx', ['--no-install', 'badger', '--version'], { cwd: ROOT, env: { ...process.env, PATH: '/usr/bin:/bin' } });
    expect(version.trim()).toBe((JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    expect(stderr).not.toMatch(/EBADENGINE/);
  });
});

describe('a command line that does not parse', () => {
  it.each([
    [['get', 'inventroy'], /^error\[CLI_USAGE\]: unknown command 'inventroy' \(Did you mean inventory\?\) \(run with --help for usage\)$/],
    [['get', 'inventory', '--bogus'], /^error\[CLI_USAGE\]: unknown option '--bogus'/],
    [['link', 'put'], /^error\[CLI_USAGE\]: missing required argument 'source'/],
  ])('badger %s exits 2 with error[CLI_USAGE] and one line', async (args, line) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(line);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('answers with JSON on stdout under --json', async () => {
    const run = await cli('get', 'inventroy', '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({ ok: false, code: 'CLI_USAGE', reason: expect.stringContaining("unknown command 'inventroy'") });
    expect(run.stderr).toBe('');
  });
});
