import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../../claims/index.ts';
import { defaultPolicy, Host, type ActorSummary } from '../../../host/index.ts';
import { connectLattice, hubConfig, leafConfig, runNatsServer, serveProviderRpc, type NatsProcess } from '../../../host/lattice/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../../../providers/http-server/index.ts';
import { keyValueProvider } from '../../../providers/keyvalue/index.ts';
import { OLED_DISPLAY, oledDisplayProvider } from '../../../providers/oled-display/index.ts';
import { tickerFrame } from '../../fixtures/oled-ticker-frame.ts';
import { builtActor } from '../../actors/built-actors.ts';
import { freePort } from '../../fixtures/nats-server.ts';

const LATTICE = 'remote';
const servers: NatsProcess[] = [];
const connections: NatsConnection[] = [];
let host: Host;
let url: (actor: ActorSummary) => string;
let http: ReturnType<typeof httpServerProvider>;

let startHub: () => Promise<NatsProcess>;

/** A hub and two leaf nodes on loopback: the laptop on one leaf, the Pi on the other. */
async function topology(): Promise<{ leaf1: string; leaf2: string }> {
  const [hubPort, leafPort, leaf1Port, leaf2Port] = [await freePort(), await freePort(), await freePort(), await freePort()];
  startHub = () => runNatsServer(hubConfig({ host: '127.0.0.1', port: hubPort, leafPort }), '127.0.0.1', hubPort);
  servers.push(await startHub());
  for (const port of [leaf1Port, leaf2Port]) {
    servers.push(await runNatsServer(leafConfig({ host: '127.0.0.1', port, remoteUrl: `nats-leaf://127.0.0.1:${leafPort}` }), '127.0.0.1', port));
  }
  return { leaf1: `nats://127.0.0.1:${leaf1Port}`, leaf2: `nats://127.0.0.1:${leaf2Port}` };
}

const oled = oledDisplayProvider({ id: 'oled-pi' });
const store = keyValueProvider({ id: 'kv-pi' });

beforeAll(async () => {
  const { leaf1, leaf2 } = await topology();
  // The Pi: the display and the store served standalone, on leaf 2.
  const pi = await connectLattice(leaf2);
  connections.push(pi);
  serveProviderRpc(pi, LATTICE, oled);
  serveProviderRpc(pi, LATTICE, store);
  await pi.flush();
  // The laptop: a host on leaf 1 running the actors, with its own HTTP server.
  const laptop = await connectLattice(leaf1);
  connections.push(laptop);
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('counter')))!).iss;
  host = new Host({ cacheDir: await mkdtemp(join(tmpdir(), 'badger-remote-')), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  host.attachLattice(laptop, LATTICE);
  http = httpServerProvider();
  await host.startProvider(http);
  url = (actor) => `http://${http.addresses().find((served) => served.actor === actor.id)!.address}/`;
}, 60_000);

afterAll(async () => {
  await host?.shutdown();
  for (const connection of connections) await connection.close();
  for (const server of servers.reverse()) await server.stop();
});

/** Retries while the leaf links come up (bounded): the first calls may find no responder yet. */
async function whenReachable<T>(attempt: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await attempt();
  for (let i = 0; i < 50 && !ok(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await attempt();
  }
  return value;
}

describe('providers on another host of the lattice', () => {
  it('shows on the Pi\'s display what an actor on the laptop draws (leaf → hub → leaf)', async () => {
    const ticker = await host.startActor(builtActor('oled-ticker'));
    await host.putLink({ source: ticker.id, interface: OLED_DISPLAY, target: oled.id });
    await host.putLink({ source: ticker.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
    const response = await whenReachable(
      () => fetch(url(ticker), { method: 'POST', body: 'Hi Pi' }),
      (answer) => answer.status === 200,
    );
    expect(response.status).toBe(200);
    const { scale } = (await response.json()) as { scale: number };
    const expected = tickerFrame('Hi Pi', scale);
    const chip = oled.panels().get('default')!.emulator!;
    for (let y = 0; y < 64; y++) for (let x = 0; x < 128; x++) if (chip.pixel(x, y) !== expected.getPixel(x, y)) throw new Error(`pixel (${x}, ${y}) differs`);
  });

  it('counts exactly with the key-value store on the other host, under 8 concurrent clients', async () => {
    const counter = await host.startActor(builtActor('counter'), { maxInstances: 2 });
    for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) await host.putLink({ source: counter.id, interface: iface, target: store.id });
    await host.putLink({ source: counter.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
    await whenReachable(
      () => fetch(`${url(counter)}warm-up`).then((answer) => answer.status),
      (status) => status === 200,
    );
    const clients = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 25; i++) {
        const answer = await fetch(`${url(counter)}visits`);
        expect(answer.status).toBe(200);
      }
    });
    await Promise.all(clients);
    const last = (await (await fetch(`${url(counter)}visits`)).json()) as { count: number };
    expect(last.count).toBe(8 * 25 + 1);
  }, 60_000);

  it('fails calls across a dead hub at once, and serves them again once the hub is back, with no restart by hand', async () => {
    const counter = host.inventory().actors.find((actor) => actor.name === 'counter')!;
    const count = async () => ((await (await fetch(`${url(counter)}hub`)).json()) as { count?: number; error?: string });
    expect(await count()).toMatchObject({ count: 1 });
    await servers[0]!.stop();
    // The leaves stay up; the Pi's store is out of reach, and the actor hears so as the store's own error.
    let down: { error?: string } = {};
    for (let attempt = 0; attempt < 50 && !down.error; attempt++) {
      down = await count();
      if (!down.error) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(down.error).toMatch(/^other: .*kv-pi/);
    servers[0] = await startHub();
    let back: { count?: number } = {};
    for (let attempt = 0; attempt < 100 && back.count === undefined; attempt++) {
      back = await count();
      if (back.count === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(back.count).toBe(2);
  }, 30_000);

  it('answers a call to a provider that runs nowhere with the interface\'s own error', async () => {
    const counter = host.inventory().actors.find((actor) => actor.name === 'counter')!;
    for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) await host.putLink({ source: counter.id, interface: iface, target: 'kv-nowhere' });
    const answer = await fetch(`${url(counter)}visits`);
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({ error: expect.stringMatching(/^other: .*no provider kv-nowhere is running on lattice remote/) });
  });
});
