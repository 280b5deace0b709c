import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

describe('badger up --demo (the README\'s main job)', () => {
  let home: string;
  const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });

  afterAll(async () => {
    await cli('down');
  });

  it('starts a host with the example actors, and they answer as it says they will', async () => {
    home = await mkdtemp(join(tmpdir(), 'badger-demo-'));
    const up = await cli('up', '--demo', '--detached');
    expect(up.stderr).toMatch(/running in the background/);
    const inventory = JSON.parse((await cli('get', 'inventory', '--json')).stdout);
    expect(inventory.actors.map((actor: { name: string }) => actor.name).sort()).toEqual(['counter', 'echo', 'hello', 'hello-wat']);

    // Each actor is served over HTTP; the provider's health names where.
    const http = inventory.providers.find((provider: { id: string }) => provider.id === 'http-server');
    const helloId = inventory.actors.find((actor: { name: string }) => actor.name === 'hello').id;
    const address = new RegExp(`${helloId} on (http://127\\.0\\.0\\.1:\\d+)`).exec(http.health.message)?.[1];
    expect(address).toBeDefined();
    expect(await (await fetch(`${address}/echo?msg=${encodeURIComponent('<i>web</i>')}`)).text()).toContain('<p>&lt;i&gt;web&lt;/i&gt;</p>');

    const echo = JSON.parse((await cli('call', 'hello', 'wasi:http/incoming-handler.handle', '{"path": "/echo?msg=<b>hi</b>"}', '--json')).stdout);
    expect(echo.body).toContain('<p>&lt;b&gt;hi&lt;/b&gt;</p>');
    await cli('call', 'counter', 'wasi:http/incoming-handler.handle', '{"path": "/visits"}');
    const visits = JSON.parse((await cli('call', 'counter', 'wasi:http/incoming-handler.handle', '{"path": "/visits"}', '--json')).stdout);
    expect(JSON.parse(visits.body)).toEqual({ path: '/visits', count: 2 });
  }, 180_000);
});
