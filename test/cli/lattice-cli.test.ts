import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken } from '../../claims/index.ts';
import { leafConfig, runNatsServer } from '../../host/lattice/index.ts';
import { PNG } from 'pngjs';
import { tickerFrame } from '../fixtures/oled-ticker-frame.ts';
import { builtActor } from '../actors/built-actors.ts';
import { freePort, startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';
import { runCli, startCli, stopCli } from './run-cli.ts';

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

  it('calls a standalone provider process, which inventory lists; when it dies its link reports unhealthy and calls fail cleanly; once back, calls work', async () => {
    const runProvider = () => startCli(['provider', 'run', 'keyvalue', '--nats', nats.url, '--lattice', 'home', '--id', 'kv-remote'], { BADGER_HOME: home }, 'serving provider kv-remote');
    const visits = async () => JSON.parse(JSON.parse((await cli('call', 'counter', 'wasi:http/incoming-handler.handle', '{"path": "/visits"}', '--json')).stdout).body);
    const linkHealth = async () =>
      (JSON.parse((await cli('get', 'inventory', '--json')).stdout).links as { target: string; health: { healthy: boolean; message?: string } }[]).filter((link) => link.target === 'kv-remote').map((link) => link.health);

    let provider = await runProvider();
    expect((await cli('start', 'actor', builtActor('counter'))).code).toBe(0);
    for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) expect((await cli('link', 'put', 'counter', 'kv-remote', iface)).code).toBe(0);
    expect(await visits()).toEqual({ path: '/visits', count: 1 });
    expect(await visits()).toEqual({ path: '/visits', count: 2 });
    expect(await linkHealth()).toEqual(Array(2).fill(expect.objectContaining({ healthy: true })));
    const lattice = JSON.parse((await cli('get', 'inventory', '--nats', nats.url, '--lattice', 'home', '--wait-ms', '300', '--json')).stdout);
    expect(lattice.providers).toContainEqual({ id: 'kv-remote', name: 'key-value store (memory, file, nats)', runBy: expect.stringMatching(/^V[A-Z2-7]{55}$/), standalone: true, health: expect.objectContaining({ healthy: true }) });

    // Killed outright: no goodbye on the lattice, so only asking tells.
    await stopCli(provider, 'SIGKILL');
    expect(await linkHealth()).toEqual(Array(2).fill({ healthy: false, message: 'no provider kv-remote is running on lattice home' }));
    expect(await visits()).toEqual({ error: expect.stringMatching(/no provider kv-remote is running on lattice home/) });
    const listed = await cli('get', 'inventory');
    expect(listed.stdout).toMatch(/wasi:keyvalue\/store +default +kv-remote +unhealthy: no provider kv-remote is running on lattice home/);

    // A new process has a new, empty memory store: the count starts again, and calls work.
    provider = await runProvider();
    try {
      expect(await visits()).toEqual({ path: '/visits', count: 1 });
      expect(await linkHealth()).toEqual(Array(2).fill(expect.objectContaining({ healthy: true })));
    } finally {
      await stopCli(provider);
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

  it('serves an actor of the host over HTTP from a standalone HTTP server provider, which forwards each request over the lattice', async () => {
    const port = await freePort();
    const edge = await startCli(['provider', 'run', 'http-server', '--nats', nats.url, '--lattice', 'home', '--id', 'web-edge'], { BADGER_HOME: home }, 'serving provider web-edge');
    try {
      expect((await cli('link', 'put', 'hello-wat', 'web-edge', 'wasi:http/incoming-handler', '--config', `address=127.0.0.1:${port}`, '--config', 'max-body-bytes=1000')).code).toBe(0);
      const direct = JSON.parse((await cli('call', 'hello-wat', 'wasi:http/incoming-handler.handle', '{"path": "/"}', '--json')).stdout) as { status: number; body: string };
      // The provider hears of the link from the host's event, then listens (bounded retries).
      let response: Response | undefined;
      for (let attempt = 0; attempt < 50 && response?.status !== 200; attempt++) {
        response = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
        if (response?.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(response?.status).toBe(200);
      expect(await response!.text()).toBe(direct.body);
      // Small enough to sit in the socket's buffer, so the early answer cannot race the upload.
      const oversized = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(2000) });
      expect(oversized.status).toBe(413);

      expect((await cli('stop', 'actor', 'hello-wat')).code).toBe(0);
      const gone = await fetch(`http://127.0.0.1:${port}/`);
      expect(gone.status).toBe(503);
    } finally {
      await stopCli(edge);
    }
  }, 60_000);

  it("answers NATS requests through nats-echo, with the host's messaging provider on the lattice's own servers and with one run standalone", async () => {
    const client = await connect({ servers: nats.url });
    // The provider hears of a link by the host's event and subscribes then: ask until it answers (bounded).
    const answerOn = async (subject: string) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const answer = await client.request(subject, new TextEncoder().encode(subject), { timeout: 1000 }).catch(() => undefined);
        if (answer) return new TextDecoder().decode(answer.data);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return undefined;
    };
    const edge = await startCli(['provider', 'run', 'messaging', '--nats', nats.url, '--lattice', 'home', '--id', 'msg-edge'], { BADGER_HOME: home }, 'serving provider msg-edge');
    try {
      expect((await cli('start', 'actor', builtActor('nats-echo'))).code).toBe(0);
      // Standalone: its subscription calls the actor on the host over the lattice, and the actor's answer goes back through it.
      expect((await cli('link', 'put', 'nats-echo', 'msg-edge', 'wasmcloud:messaging', '--config', 'subscriptions=edge.>')).code).toBe(0);
      expect(await answerOn('edge.hello')).toBe('edge.hello');
      // The same links, moved to the host's own provider: the standalone one lets go of its subscription.
      expect((await cli('start', 'provider', 'messaging')).code).toBe(0);
      expect((await cli('link', 'put', 'nats-echo', 'messaging', 'wasmcloud:messaging', '--config', 'subscriptions=local.>')).code).toBe(0);
      expect(await answerOn('local.hello')).toBe('local.hello');
    } finally {
      await stopCli(edge);
      await client.close();
    }
  }, 60_000);

  it('serves outgoing HTTP and a blob store to actors of the host from providers run standalone', async () => {
    const upstream = createServer((_request, response) => response.end('x'.repeat(1024)));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const authority = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const blobDir = await mkdtemp(join(tmpdir(), 'badger-standalone-blobs-'));
    const httpOut = await startCli(['provider', 'run', 'http-client', '--nats', nats.url, '--lattice', 'home', '--id', 'web-out'], { BADGER_HOME: home }, 'serving provider web-out');
    const blobs = await startCli(['provider', 'run', 'blobstore', '--nats', nats.url, '--lattice', 'home', '--id', 'blobs-edge'], { BADGER_HOME: home }, 'serving provider blobs-edge');
    const http = async (actor: string, request: Record<string, string>) => JSON.parse((await cli('call', actor, 'wasi:http/incoming-handler.handle', JSON.stringify(request), '--json')).stdout) as { status: number; body: string };
    try {
      expect((await cli('start', 'actor', builtActor('fetcher'))).code).toBe(0);
      expect((await cli('link', 'put', 'fetcher', 'web-out', 'wasi:http/outgoing-handler', '--config', `allowed_hosts=${authority}`)).code).toBe(0);
      const fetched = await http('fetcher', { path: `/fetch?url=${encodeURIComponent(`http://${authority}/`)}` });
      expect({ status: fetched.status, body: JSON.parse(fetched.body) }).toEqual({ status: 200, body: { status: 200, length: 1024 } });

      expect((await cli('start', 'actor', builtActor('blob-notes'))).code).toBe(0);
      expect((await cli('link', 'put', 'blob-notes', 'blobs-edge', 'wasi:blobstore', '--config', 'backend=file', `path=${blobDir}`)).code).toBe(0);
      expect((await http('blob-notes', { method: 'POST', path: '/notes/remote', body: 'kept by the standalone provider' })).status).toBe(201);
      expect(await http('blob-notes', { path: '/notes/remote' })).toMatchObject({ status: 200, body: 'kept by the standalone provider' });
      // The standalone process wrote it, in the directory its link names.
      expect(await readdir(blobDir)).toHaveLength(1);
    } finally {
      await stopCli(httpOut);
      await stopCli(blobs);
      await new Promise((resolve) => upstream.close(resolve));
    }
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

  it('names the problem when the NATS server cannot be reached', async () => {
    const result = await cli('get', 'hosts', '--nats', 'nats://127.0.0.1:1');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error\[LATTICE_UNAVAILABLE\]: cannot reach nats:\/\/127\.0\.0\.1:1/);
  });
});

describe('the laptop and the Pi: a hub and two leaf nodes', () => {
  it('shows on the standalone display of the Pi what oled-ticker on the laptop draws when asked over HTTP', async () => {
    const [hubPort, leafPort, laptopPort, piPort, httpPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const laptopHome = await mkdtemp(join(tmpdir(), 'badger-laptop-'));
    const piHome = await mkdtemp(join(tmpdir(), 'badger-pi-'));
    const laptop = (...args: string[]) => runCli(args, { BADGER_HOME: laptopHome });
    const config = (await laptop('nats', 'hub', '--host', '127.0.0.1', '--port', String(hubPort), '--leaf-port', String(leafPort), '--store', join(piHome, 'hub-store'))).stdout;
    expect(config).toContain(`port: ${leafPort}`);
    const hub = await runNatsServer(config, '127.0.0.1', hubPort);
    const piLeaf = await runNatsServer(leafConfig({ host: '127.0.0.1', port: piPort, remoteUrls: [`nats-leaf://127.0.0.1:${leafPort}`] }), '127.0.0.1', piPort);
    const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('oled-ticker')))!).iss;
    let display: ChildProcess | undefined;
    try {
      // The laptop: a host on a leaf node of its own, which badger up starts.
      const up = await laptop('up', '--detached', '--leaf-remote', `nats-leaf://127.0.0.1:${leafPort}`, '--leaf-port', String(laptopPort), '--label', 'role=laptop', '--trust', issuer);
      expect(up.code).toBe(0);
      // Seen from the hub: the host's answers travel leaf → hub once the leaf link is up (bounded retries).
      let hosts: { labels: Record<string, string> }[] = [];
      for (let attempt = 0; attempt < 20 && hosts.length === 0; attempt++) {
        hosts = JSON.parse((await laptop('get', 'hosts', '--nats', hub.url, '--wait-ms', '300', '--json')).stdout);
      }
      expect(hosts.map((host) => host.labels)).toEqual([{ role: 'laptop' }]);

      // The Pi: the display provider alone, on the other leaf, with the emulated panel.
      display = await startCli(['provider', 'run', 'oled-display', '--nats', piLeaf.url, '--id', 'oled-pi'], { BADGER_HOME: piHome }, 'serving provider oled-pi');
      expect((await laptop('start', 'provider', 'http-server')).code).toBe(0);
      expect((await laptop('start', 'actor', builtActor('oled-ticker'))).code).toBe(0);
      expect((await laptop('link', 'put', 'oled-ticker', 'oled-pi', 'badger:oled/display')).code).toBe(0);
      expect((await laptop('link', 'put', 'oled-ticker', 'http-server', 'wasi:http/incoming-handler', '--config', `address=127.0.0.1:${httpPort}`)).code).toBe(0);

      let response = await fetch(`http://127.0.0.1:${httpPort}/`, { method: 'POST', body: 'Hi Pi' });
      for (let attempt = 0; attempt < 50 && response.status !== 200; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        response = await fetch(`http://127.0.0.1:${httpPort}/`, { method: 'POST', body: 'Hi Pi' });
      }
      expect(response.status).toBe(200);
      const { scale } = (await response.json()) as { scale: number };

      // What the Pi's emulated chip shows, read over the lattice from the laptop.
      const png = join(laptopHome, 'pi.png');
      const snapshot = await laptop('oled', 'snapshot', '--nats', `nats://127.0.0.1:${laptopPort}`, '--provider', 'oled-pi', '--scale', '1', '-o', png);
      expect(snapshot.stderr).toBe('');
      const image = PNG.sync.read(await readFile(png));
      const expected = tickerFrame('Hi Pi', scale);
      expect([image.width, image.height]).toEqual([128, 64]);
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 128; x++) if ((image.data[(y * 128 + x) * 4]! > 127) !== expected.getPixel(x, y)) throw new Error(`pixel (${x}, ${y}) differs`);
      }

      const lattice = JSON.parse((await laptop('get', 'inventory', '--nats', hub.url, '--wait-ms', '500', '--json')).stdout);
      expect(lattice.providers).toEqual([
        { id: 'http-server', name: 'HTTP server', runBy: expect.stringMatching(/^N/), standalone: false, health: expect.objectContaining({ healthy: true }) },
        { id: 'oled-pi', name: 'OLED display (SSD1306)', runBy: expect.stringMatching(/^V/), standalone: true, health: { healthy: true, message: 'default (emulator, 128×64)' } },
      ]);

      // A host that has gone no longer answers, so it drops out of the list at once.
      expect((await laptop('down')).code).toBe(0);
      let left: unknown[] = hosts;
      for (let attempt = 0; attempt < 20 && left.length > 0; attempt++) left = JSON.parse((await laptop('get', 'hosts', '--nats', hub.url, '--wait-ms', '300', '--json')).stdout);
      expect(left).toEqual([]);
    } finally {
      if (display) await stopCli(display);
      await laptop('down');
      await piLeaf.stop();
      await hub.stop();
    }
  }, 90_000);
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
