import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { buildProgram } from '../../cli/program.ts';
import { builtActor } from '../actors/built-actors.ts';
import { freePort, startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';
import { runCli } from './run-cli.ts';

const BIN = fileURLToPath(new URL('../../bin/badger.js', import.meta.url));
const ACTORS = fileURLToPath(new URL('../../actors-src/', import.meta.url));

/** Every command that takes --json, by path: what this suite must run. */
function jsonVerbs(): string[] {
  const verbs: string[] = [];
  const walk = (command: ReturnType<typeof buildProgram>, path: string) => {
    if (command.commands.length === 0 && command.options.some((option) => option.long === '--json')) verbs.push(path);
    for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(buildProgram(), '');
  return verbs.sort();
}

/** Starts a long-running verb, and returns its first line of stdout, parsed, then stops it. */
async function firstJsonLine(args: string[], env: Record<string, string>): Promise<unknown> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => (err += chunk));
  try {
    return await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      child.once('exit', (code) => reject(new Error(`badger ${args.join(' ')} exited with ${code}: ${err}`)));
    });
  } finally {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  }
}

describe('--json on every verb', () => {
  let nats: RunningNats;
  let home: string;
  let work: string;
  const ran = new Set<string>();
  /** Runs a verb with --json and returns its parsed stdout, recording that the verb was covered. */
  const json = async (verb: string, ...args: string[]) => {
    const run = await runCli([...verb.split(' '), ...args, '--json'], { BADGER_HOME: home });
    ran.add(verb);
    try {
      return JSON.parse(run.stdout);
    } catch {
      throw new Error(`badger ${verb} --json printed no JSON (exit ${run.code}): ${run.stdout}${run.stderr}`);
    }
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    home = await mkdtemp(join(tmpdir(), 'badger-json-'));
    work = await mkdtemp(join(tmpdir(), 'badger-json-work-'));
  });

  afterAll(async () => {
    await runCli(['down'], { BADGER_HOME: home });
    await nats?.stop();
  });

  it('prints parseable JSON from each of them', async () => {
    const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('oled-ticker')))!).iss;
    expect(await json('keys gen', 'account')).toMatchObject({ type: 'account', publicKey: expect.stringMatching(/^A/) });
    expect(await json('claims sign', builtActor('hello-wat').replace('_s.wasm', '.wasm'), '-o', join(work, 'signed.wasm'), '--name', 'signed')).toMatchObject({ claims: { wascap: { name: 'signed' } } });
    expect(await json('claims inspect', builtActor('counter'))).toMatchObject({ name: 'counter', verified: { ok: true } });
    expect(await json('claims verify', builtActor('counter'))).toMatchObject({ ok: true });
    // A copy, so that building never rewrites the examples other suites load.
    await cp(join(ACTORS, 'hello-wat'), join(work, 'hello-wat'), { recursive: true, filter: (source) => !source.includes('/build') });
    expect(await json('build', join(work, 'hello-wat'))).toEqual([expect.objectContaining({ name: 'hello-wat' })]);
    expect(await json('completion', 'zsh')).toMatchObject({ shell: 'zsh', script: expect.stringContaining('bashcompinit') });
    expect(await json('doctor')).toMatchObject({ ok: true, checks: expect.arrayContaining([expect.objectContaining({ check: 'i2c' })]) });
    expect(await json('nats hub', '--port', String(await freePort()))).toMatchObject({ config: expect.stringContaining('leafnodes') });
    expect(await json('nats cluster', '--port', '4300')).toMatchObject({ urls: ['nats://127.0.0.1:4300', 'nats://127.0.0.1:4301', 'nats://127.0.0.1:4302'], servers: [expect.objectContaining({ name: 'badger-1', config: expect.stringContaining('routes') }), expect.anything(), expect.anything()] });

    expect(await json('push', builtActor('hello-wat'), 'hello-wat:0.1.0', '--nats', nats.url)).toMatchObject({ reference: 'lattice://hello-wat:0.1.0', digest: expect.stringMatching(/^sha256:/) });
    expect(await json('pull', 'lattice://hello-wat:0.1.0', '--nats', nats.url, '-o', join(work, 'pulled.wasm'))).toMatchObject({ file: join(work, 'pulled.wasm'), cached: false });
    expect(await json('artifacts list', '--nats', nats.url)).toEqual([expect.objectContaining({ name: 'hello-wat:0.1.0' })]);
    expect(await json('artifacts rm', 'hello-wat:0.1.0', '--nats', nats.url)).toEqual({ removed: 'lattice://hello-wat:0.1.0' });
    expect(await json('up', '--detached', '--nats', nats.url, '--label', 'json=yes', '--trust', issuer)).toMatchObject({ pid: expect.any(Number), socket: expect.any(String) });
    expect(await json('start actor', builtActor('oled-ticker'))).toMatchObject({ name: 'oled-ticker' });
    expect(await json('start actor', builtActor('hello-wat'))).toMatchObject({ name: 'hello-wat' });
    expect(await json('scale actor', 'hello-wat', '2')).toMatchObject({ limits: expect.objectContaining({ maxInstances: 2 }) });
    // The next version keeps what the last one was scaled to.
    expect(await json('update actor', builtActor('hello-wat'))).toMatchObject({ name: 'hello-wat', limits: expect.objectContaining({ maxInstances: 2 }) });
    expect(await json('call', 'hello-wat', 'wasi:http/incoming-handler.handle', '{"path": "/"}')).toMatchObject({ status: 200 });
    expect(await json('provider kinds')).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'oled-display', services: { snapshot: expect.any(String) } })]));
    expect(await json('start provider', 'oled-display', '--id', 'display')).toEqual({ id: 'display', name: expect.any(String) });
    expect(await json('link put', 'oled-ticker', 'display', 'badger:oled/display')).toMatchObject({ target: 'display' });
    expect(await json('link query')).toEqual([expect.objectContaining({ target: 'display' })]);
    expect(await json('get inventory')).toMatchObject({ labels: { json: 'yes' }, actors: expect.any(Array) });
    expect(await json('get inventory', '--nats', nats.url, '--wait-ms', '300')).toMatchObject({ hosts: [expect.objectContaining({ labels: { json: 'yes' } })] });
    expect(await json('get hosts', '--nats', nats.url, '--wait-ms', '300')).toEqual([expect.objectContaining({ labels: { json: 'yes' } })]);
    expect(await json('get claims')).toEqual(expect.arrayContaining([expect.objectContaining({ wascap: expect.objectContaining({ name: 'hello-wat' }) })]));
    expect(await json('oled snapshot', '-o', join(work, 'panel.png'))).toMatchObject({ panel: 'default', width: 128 });
    expect(await json('oled watch', '--once')).toMatchObject({ panel: 'default', bits: expect.any(String) });
    expect(await json('link del', 'oled-ticker', 'badger:oled/display')).toMatchObject({ target: 'display' });
    expect(await json('stop provider', 'display')).toEqual({ stopped: 'display' });
    expect(await json('stop actor', 'oled-ticker')).toEqual({ stopped: expect.any(String) });

    // Events: the tail subscribes in its own time, so events are made until it has seen one (bounded).
    let finished = false;
    const tail = json('events', '--nats', nats.url, '--count', '1', '--no-heartbeats').finally(() => (finished = true));
    for (let attempt = 0; attempt < 20 && !finished; attempt++) {
      await runCli(['start', 'provider', 'keyvalue', '--id', `kv-${attempt}`], { BADGER_HOME: home });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await tail).toMatchObject({ specversion: '1.0' });
    expect(await firstJsonLine(['provider', 'run', 'keyvalue', '--nats', nats.url, '--id', 'kv-alone', '--json'], { BADGER_HOME: home })).toMatchObject({ id: 'kv-alone', key: expect.stringMatching(/^V/) });
    ran.add('provider run');
    expect(await firstJsonLine(['ui', '--nats', nats.url, '--port', '0', '--json'], { BADGER_HOME: home })).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), token: null });
    ran.add('ui');

    const manifest = join(work, 'app.yaml');
    await writeFile(manifest, `apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata:\n  name: json-app\nspec:\n  components:\n    - name: store\n      type: capability\n      properties: { kind: keyvalue }\n`);
    expect(await json('app validate', manifest)).toMatchObject({ ok: true });
    expect(await json('app deploy', manifest, '--wait')).toMatchObject({ name: 'json-app', state: 'deployed' });
    expect(await json('app list')).toEqual([expect.objectContaining({ name: 'json-app' })]);
    expect(await json('app status', 'json-app')).toMatchObject({ state: 'deployed' });
    expect(await json('app undeploy', 'json-app', '--wait')).toEqual({ name: 'json-app', state: 'undeployed' });
    expect(await json('down')).toEqual({ stopped: true, pid: expect.any(Number) });

    expect([...ran].sort()).toEqual(jsonVerbs());
  }, 180_000);
});
