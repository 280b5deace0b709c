import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken } from '../../claims/index.ts';
import { runNatsServer } from '../../host/lattice/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { freePort, startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';
import { runCli } from './run-cli.ts';

const BIN = fileURLToPath(new URL('../../bin/badger.js', import.meta.url));

describe('badger up --nats and badger get hosts', () => {
  let nats: RunningNats;
  let home: string;
  const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });

  beforeAll(async () => {
    nats = await startNatsServer();
    home = await mkdtemp(join(tmpdir(), 'badger-lattice-cli-'));
  });

  afterAll(async () => {
    await cli('down');
    await nats?.stop();
  });

  it('joins a host to the lattice, where get hosts finds it with its labels', async () => {
    const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('counter')))!).iss;
    const up = await cli('up', '--detached', '--nats', nats.url, '--lattice', 'home', '--label', 'device=pi', '--trust', issuer);
    expect(up.code).toBe(0);
    const hosts = JSON.parse((await cli('get', 'hosts', '--nats', nats.url, '--lattice', 'home', '--wait-ms', '500', '--json')).stdout);
    expect(hosts).toHaveLength(1);
    expect(hosts[0]).toMatchObject({ lattice: 'home', labels: { device: 'pi' }, actors: [], version: expect.any(String) });
    expect(hosts[0].id).toMatch(/^N[A-Z2-7]{55}$/);
    expect(JSON.parse((await cli('get', 'hosts', '--nats', nats.url, '--lattice', 'elsewhere', '--wait-ms', '300', '--json')).stdout)).toEqual([]);
  }, 60_000);

  it('calls a standalone provider process; when it stops, calls fail cleanly, and work again once it is back', async () => {
    const runProvider = async () => {
      const child = spawn(process.execPath, [BIN, 'provider', 'run', 'keyvalue', '--nats', nats.url, '--lattice', 'home', '--id', 'kv-remote'], {
        env: { ...process.env, BADGER_HOME: home },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let said = '';
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', (chunk) => {
          said += chunk;
          if (said.includes('serving provider kv-remote')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`badger provider run exited with ${code}: ${said}`)));
      });
      return child;
    };
    const visits = async () => JSON.parse(JSON.parse((await cli('call', 'counter', 'wasi:http/incoming-handler.handle', '{"path": "/visits"}', '--json')).stdout).body);

    let provider = await runProvider();
    expect((await cli('start', 'actor', builtActor('counter'))).code).toBe(0);
    for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) expect((await cli('link', 'put', 'counter', 'kv-remote', iface)).code).toBe(0);
    expect(await visits()).toEqual({ path: '/visits', count: 1 });
    expect(await visits()).toEqual({ path: '/visits', count: 2 });

    provider.kill('SIGTERM');
    await new Promise((resolve) => provider.once('exit', resolve));
    expect(await visits()).toEqual({ error: expect.stringMatching(/no provider kv-remote is running on lattice home/) });

    // A new process has a new, empty memory store: the count starts again, and calls work.
    provider = await runProvider();
    try {
      expect(await visits()).toEqual({ path: '/visits', count: 1 });
    } finally {
      provider.kill('SIGTERM');
    }
  }, 60_000);

  it('starts an actor by auction on the host whose labels match, and says when none does', async () => {
    const [host] = JSON.parse((await cli('get', 'hosts', '--nats', nats.url, '--lattice', 'home', '--wait-ms', '300', '--json')).stdout);
    const started = JSON.parse((await cli('start', 'actor', builtActor('hello-wat'), '--nats', nats.url, '--lattice', 'home', '--constraint', 'device=pi', '--json')).stdout);
    expect(started).toMatchObject({ name: 'hello-wat', host: host.id });
    const refused = await cli('start', 'actor', builtActor('hello'), '--nats', nats.url, '--lattice', 'home', '--constraint', 'device=toaster');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error\[LATTICE_NO_HOST\]: no host on lattice home answered the auction \(device=toaster\)/);
  }, 60_000);

  it('tails lifecycle events as CloudEvents with badger events', async () => {
    let finished = false;
    const tail = cli('events', '--nats', nats.url, '--lattice', 'home', '--no-heartbeats', '--count', '1', '--json').finally(() => (finished = true));
    // The tail subscribes in its own time: make events until it has seen one (bounded).
    for (let attempt = 0; attempt < 20 && !finished; attempt++) {
      await cli('start', 'provider', 'keyvalue', '--id', `kv-${attempt}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const event = JSON.parse((await tail).stdout);
    expect(event).toMatchObject({ specversion: '1.0', type: 'dev.awesome-badger.lattice.provider_started', data: { provider: expect.stringMatching(/^kv-\d+$/) } });
    expect(event.source).toMatch(/^N[A-Z2-7]{55}$/);
  }, 30_000);

  it('joins through a local leaf node of a hub, whose config badger nats hub prints', async () => {
    const [hubPort, leafPort, localPort] = [await freePort(), await freePort(), await freePort()];
    const config = (await cli('nats', 'hub', '--host', '127.0.0.1', '--port', String(hubPort), '--leaf-port', String(leafPort), '--store', join(home, 'hub-store'))).stdout;
    expect(config).toContain(`port: ${leafPort}`);
    const hub = await runNatsServer(config, '127.0.0.1', hubPort);
    const laptopHome = await mkdtemp(join(tmpdir(), 'badger-laptop-'));
    const laptop = (...args: string[]) => runCli(args, { BADGER_HOME: laptopHome });
    try {
      const up = await laptop('up', '--detached', '--leaf-remote', `nats-leaf://127.0.0.1:${leafPort}`, '--leaf-port', String(localPort), '--label', 'role=laptop');
      expect(up.code).toBe(0);
      // Seen from the hub: the host's answers travel leaf → hub once the leaf link is up (bounded retries).
      let hosts: { labels: Record<string, string> }[] = [];
      for (let attempt = 0; attempt < 20 && hosts.length === 0; attempt++) {
        hosts = JSON.parse((await cli('get', 'hosts', '--nats', hub.url, '--wait-ms', '300', '--json')).stdout);
      }
      expect(hosts.map((host) => host.labels)).toEqual([{ role: 'laptop' }]);
    } finally {
      await laptop('down');
      await hub.stop();
    }
  }, 60_000);

  it('names the problem when the NATS server cannot be reached', async () => {
    const result = await cli('get', 'hosts', '--nats', 'nats://127.0.0.1:1');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error\[LATTICE_UNAVAILABLE\]: cannot reach nats:\/\/127\.0\.0\.1:1/);
  });
});

describe('a lattice whose NATS server asks who connects', () => {
  it('joins and lists hosts with an nkey seed, and names the refusal without one', async () => {
    const user = generateKeyPair('user');
    const port = await freePort();
    const server = await runNatsServer(`host: "127.0.0.1"\nport: ${port}\nauthorization { users: [ { nkey: "${user.publicKey}" } ] }\n`, '127.0.0.1', port);
    const home = await mkdtemp(join(tmpdir(), 'badger-nkey-'));
    const seedFile = join(home, 'user.seed');
    await writeFile(seedFile, user.seed, { mode: 0o600 });
    const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });
    try {
      const refused = await cli('get', 'hosts', '--nats', `nats://127.0.0.1:${port}`);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/error\[LATTICE_UNAVAILABLE\]: cannot reach .*(Authorization|AUTHORIZATION)/i);
      expect((await cli('up', '--detached', '--nats', `nats://127.0.0.1:${port}`, '--nkey-seed', seedFile, '--label', 'auth=nkey')).code).toBe(0);
      const hosts = JSON.parse((await cli('get', 'hosts', '--nats', `nats://127.0.0.1:${port}`, '--nkey-seed', seedFile, '--wait-ms', '300', '--json')).stdout);
      expect(hosts.map((host: { labels: Record<string, string> }) => host.labels)).toEqual([{ auth: 'nkey' }]);
    } finally {
      await cli('down');
      await server.stop();
    }
  }, 60_000);
});
