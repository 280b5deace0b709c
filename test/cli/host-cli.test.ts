import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { trappingComponent } from '../fixtures/wat-components.ts';
import { runCli } from './run-cli.ts';

let home: string;
const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'badger-host-cli-'));
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('hello-wat')))!).iss;
  const up = await cli('up', '--detached', '--trust', issuer, '--label', 'site=test');
  expect(up.stderr).toMatch(/running in the background/);
});

afterAll(async () => {
  await cli('down');
});

describe('badger with a running host', () => {
  it('says how to start a host when none is running', async () => {
    const run = await runCli(['get', 'inventory'], { BADGER_HOME: await mkdtemp(join(tmpdir(), 'badger-nohost-')) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error\[HOST_NOT_RUNNING\]: no host is running at .*host\.sock: start one with "badger up"/);
  });

  it('keeps its control socket to its owner: socket 0600 in a 0700 folder', async () => {
    expect((await stat(join(home, 'host.sock'))).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
  });

  it('starts an actor, calls it, scales it, shows it, and stops it', async () => {
    const started = await cli('start', 'actor', builtActor('hello-wat'), '--json');
    expect(started.stderr).toBe('');
    const summary = JSON.parse(started.stdout);
    expect(summary.name).toBe('hello-wat');

    const called = await cli('call', 'hello-wat', 'wasi:http/incoming-handler.handle', '{"path": "/"}');
    expect(called.stdout).toBe('200\nHello from awesome-badger!\n\n');

    expect(JSON.parse((await cli('scale', 'actor', 'hello-wat', '3', '--json')).stdout).limits.maxInstances).toBe(3);
    const inventory = JSON.parse((await cli('get', 'inventory', '--json')).stdout);
    expect(inventory.labels).toEqual({ site: 'test' });
    expect(inventory.actors.map((a: { name: string }) => a.name)).toContain('hello-wat');
    const claims = JSON.parse((await cli('get', 'claims', '--json')).stdout);
    expect(claims.map((c: { sub: string }) => c.sub)).toContain(summary.id);

    expect((await cli('stop', 'actor', 'hello-wat')).code).toBe(0);
    expect((await cli('call', 'hello-wat', 'wasi:http/incoming-handler.handle')).stderr).toMatch(/ACTOR_NOT_FOUND/);
  });

  it('links an actor to a provider, and the actor keeps state there', async () => {
    await cli('start', 'actor', builtActor('counter'));
    await cli('start', 'provider', 'keyvalue', '--id', 'kv');
    for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) {
      expect((await cli('link', 'put', 'counter', 'kv', iface)).code).toBe(0);
    }
    const providers = JSON.parse((await cli('get', 'inventory', '--json')).stdout).providers;
    expect(providers).toContainEqual({ id: 'kv', name: 'key-value store (memory, file, nats)', health: expect.objectContaining({ healthy: true }) });
    const links = JSON.parse((await cli('link', 'query', '--json')).stdout);
    expect(links.map((l: { interface: string }) => l.interface).sort()).toEqual(['wasi:keyvalue/atomics', 'wasi:keyvalue/store']);
    await cli('call', 'counter', 'wasi:http/incoming-handler.handle', '{"path": "/n"}');
    const second = JSON.parse((await cli('call', 'counter', 'wasi:http/incoming-handler.handle', '{"path": "/n"}', '--json')).stdout);
    expect(JSON.parse(second.body)).toEqual({ path: '/n', count: 2 });

    expect((await cli('link', 'del', 'counter', 'wasi:keyvalue/store')).code).toBe(0);
    const unlinked = JSON.parse((await cli('call', 'counter', 'wasi:http/incoming-handler.handle', '{"path": "/n"}', '--json')).stdout);
    expect(unlinked.status).toBe(503);
  });

  it('runs a second host under a policy file, which decides what starts', async () => {
    const other = await mkdtemp(join(tmpdir(), 'badger-policy-host-'));
    const policy = join(other, 'policy.yaml');
    await writeFile(policy, 'issuers: []\n');
    const env = { BADGER_HOME: other };
    expect((await runCli(['up', '--detached', '--policy', policy], env)).code).toBe(0);
    try {
      const run = await runCli(['start', 'actor', builtActor('hello-wat')], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error\[POLICY_ISSUER_DENIED\]/);
    } finally {
      await runCli(['down'], env);
    }
  });

  it('refuses an unsigned actor with its code, and keeps running', async () => {
    const unsigned = join(home, 'unsigned.wasm');
    await writeFile(unsigned, await trappingComponent());
    const run = await cli('start', 'actor', unsigned);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error\[POLICY_UNSIGNED_DENIED\]/);
    expect((await cli('get', 'inventory')).code).toBe(0);
  });
});
