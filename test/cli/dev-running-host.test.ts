/**
 * `badger dev` beside a host the developer already runs (`badger up`): it uses that host, and
 * Ctrl-C takes away what it started there (actor, links, providers) and nothing else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, stopCli } from './run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'badger.js');
let work: string;
let home: string;
let dev: ChildProcess | undefined;
const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });

interface Inventory {
  actors: { id: string; name: string }[];
  providers: { id: string }[];
  links: { source: string; interface: string }[];
}
const inventory = async () => JSON.parse((await cli('get', 'inventory', '--json')).stdout) as Inventory;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-dev-running-'));
  home = join(work, 'home');
  const up = await cli('up', '--detached');
  expect(up.code, up.stderr).toBe(0);
  expect((await cli('start', 'provider', 'keyvalue', '--id', 'users-own')).code).toBe(0);
  await cp(join(ROOT, 'actors-src', 'hello-wat'), join(work, 'hello-wat'), { recursive: true, filter: (from) => !from.includes(join('hello-wat', 'build')) });
});

afterAll(async () => {
  if (dev) await stopCli(dev, 'SIGKILL');
  await cli('down');
});

describe('badger dev with a host running', () => {
  it('serves the actor from the running host, reloads it there, and Ctrl-C takes away only what dev started', async () => {
    dev = spawn(process.execPath, [BIN, 'dev', join(work, 'hello-wat')], { env: { ...process.env, BADGER_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    dev.stderr!.on('data', (chunk) => (said += chunk));
    for (let attempt = 0; attempt < 600 && !/dev: running hello-wat/.test(said); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(said).toMatch(/dev: using the running host/);
    const url = /dev: serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(said)![1]!;
    expect(await (await fetch(url)).text()).toBe('Hello from awesome-badger!\n');

    const during = await inventory();
    const actor = during.actors.find((running) => running.name === 'hello-wat')!;
    expect(during.providers.map((provider) => provider.id).sort()).toEqual(['dev-http-server', 'users-own']);
    expect(during.links).toEqual([expect.objectContaining({ source: actor.id, interface: 'wasi:http/incoming-handler' })]);

    const source = join(work, 'hello-wat', 'actor.wat');
    await writeFile(source, (await readFile(source, 'utf8')).replace('Hello from awesome-badger!', 'Hello from the dev loop!!!'));
    // A keep-alive connection to the old version gets one more answer from it (bounded polling).
    let text = '';
    for (let attempt = 0; attempt < 300 && text !== 'Hello from the dev loop!!!\n'; attempt++) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      text = await response.text();
      if (text !== 'Hello from the dev loop!!!\n') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(text).toBe('Hello from the dev loop!!!\n');
    for (let attempt = 0; attempt < 100 && !/dev: reloaded hello-wat/.test(said); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(said).toMatch(/dev: reloaded hello-wat/);

    const exited = new Promise((resolve) => dev!.once('exit', resolve));
    dev.kill('SIGINT');
    await exited;
    expect(said).toMatch(/dev: stopped/);
    const after = await inventory();
    expect(after.actors).toEqual([]);
    expect(after.links).toEqual([]);
    expect(after.providers.map((provider) => provider.id)).toEqual(['users-own']);
  }, 120_000);
});
