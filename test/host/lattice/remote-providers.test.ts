import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken, signArtifact, type PublicKey } from '../../../claims/index.ts';
import { defaultPolicy, Host, type ActorSummary } from '../../../host/index.ts';
import { connectLattice, discoverProviders, eventPublisher, followLinks, hubConfig, leafConfig, callRemoteService, runNatsServer, serveStandaloneProvider, type LatticeBus, type NatsProcess } from '../../../host/lattice/index.ts';
import { memberBus, operatorBus } from '../../fixtures/lattice-members.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../../../providers/http-server/index.ts';
import { keyValueDescriptor, keyValueProvider } from '../../../providers/keyvalue/index.ts';
import { displaySnapshotFrom, OLED_DISPLAY, oledDisplayDescriptor, oledDisplayProvider, snapshotPixels } from '../../../providers/oled-display/index.ts';
import { greeterCallerComponent, greeterComponent } from '../../fixtures/wat-components.ts';
import { tickerFrame } from '../../fixtures/oled-ticker-frame.ts';
import { builtActor } from '../../actors/built-actors.ts';
import { freePort } from '../../fixtures/nats-server.ts';

const LATTICE = 'remote';
const servers: NatsProcess[] = [];
const connections: NatsConnection[] = [];
let host: Host;
/** The Pi's host: it runs the key-value provider, and serves it to the lattice. */
let piHost: Host;
let piKey: string;
let laptop: LatticeBus;
let url: (actor: ActorSummary) => string;
let http: ReturnType<typeof httpServerProvider>;

let startHub: () => Promise<NatsProcess>;
const ours = generateKeyPair('account');

/** A component signed by this test's own account, which both hosts trust, written where they can load it. */
async function signedFile(work: string, name: string, bytes: Uint8Array, caps: string[] = []): Promise<string> {
  const signed = await signArtifact(bytes, { issuer: ours, subject: generateKeyPair('component'), issuedAt: Math.floor(Date.now() / 1000) - 60, claims: { name, caps } });
  const path = join(work, `${name}.wasm`);
  await writeFile(path, signed.bytes);
  return path;
}

/** A hub and two leaf nodes on loopback: the laptop on one leaf, the Pi on the other. */
async function topology(): Promise<{ leaf1: string; leaf2: string }> {
  const [hubPort, leafPort, leaf1Port, leaf2Port] = [await freePort(), await freePort(), await freePort(), await freePort()];
  startHub = () => runNatsServer(hubConfig({ host: '127.0.0.1', port: hubPort, leafPort }), '127.0.0.1', hubPort);
  servers.push(await startHub());
  for (const port of [leaf1Port, leaf2Port]) {
    servers.push(await runNatsServer(leafConfig({ host: '127.0.0.1', port, remoteUrls: [`nats-leaf://127.0.0.1:${leafPort}`] }), '127.0.0.1', port));
  }
  return { leaf1: `nats://127.0.0.1:${leaf1Port}`, leaf2: `nats://127.0.0.1:${leaf2Port}` };
}

const oled = oledDisplayProvider({ id: 'oled-pi' });
const store = keyValueProvider({ id: 'kv-pi' });

beforeAll(async () => {
  const { leaf1, leaf2 } = await topology();
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('counter')))!).iss;
  const cacheDir = await mkdtemp(join(tmpdir(), 'badger-remote-'));
  // The Pi, on leaf 2: the display served standalone, and a host that runs the store.
  const pi = await connectLattice(leaf2);
  connections.push(pi);
  const piBus = memberBus(pi, LATTICE, undefined, { type: 'provider' });
  piKey = piBus.self!;
  await serveStandaloneProvider({ bus: piBus, provider: oled, key: piKey });
  const piHostConnection = await connectLattice(leaf2);
  connections.push(piHostConnection);
  piHost = await hostOnLattice(memberBus(piHostConnection, LATTICE), cacheDir, [issuer, ours.publicKey]);
  await piHost.startProvider(store);
  await piHostConnection.flush();
  // The laptop: a host on leaf 1 running the actors, with its own HTTP server.
  const laptopConnection = await connectLattice(leaf1);
  connections.push(laptopConnection);
  host = await hostOnLattice(memberBus(laptopConnection, LATTICE), cacheDir, [issuer, ours.publicKey]);
  laptop = operatorBus(laptopConnection, LATTICE);
  http = httpServerProvider();
  await host.startProvider(http);
  url = (actor) => `http://${http.addresses().find((served) => served.actor === actor.id)!.address}/`;
}, 60_000);

/** A host on the lattice as `badger up` makes one: its link events published, others' links followed. */
async function hostOnLattice(bus: LatticeBus, cacheDir: string, issuers: PublicKey[]): Promise<Host> {
  const publish = eventPublisher(bus, bus.self!);
  // It routes the store's and the display's interfaces to wherever on the lattice they run, as `badger up` registers its built-in providers.
  const made = new Host({ cacheDir, policy: defaultPolicy(issuers), logger: pino({ level: 'silent' }), onEvent: (type, data) => publish(type, data), providers: [keyValueDescriptor, oledDisplayDescriptor] });
  made.attachLattice(bus);
  await followLinks(bus, bus.self!, { adopt: (link) => made.adoptLink(link), drop: (source, iface, name) => made.dropLink(source, iface, name) });
  return made;
}

afterAll(async () => {
  await host?.shutdown();
  await piHost?.shutdown();
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
    // The same glass, as the laptop reads it over the lattice.
    const seen = snapshotPixels(displaySnapshotFrom(await callRemoteService(laptop, oled.id, 'snapshot', {}, 5000)));
    for (let y = 0; y < 64; y++) for (let x = 0; x < 128; x++) if (seen[y]![x] !== chip.pixel(x, y)) throw new Error(`snapshot pixel (${x}, ${y}) differs`);
  });

  it('lists the standalone provider, with its own key and health, in lattice-wide discovery', async () => {
    const providers = await discoverProviders(laptop, 500);
    expect(providers).toEqual([{ id: 'oled-pi', name: oled.name, runBy: piKey, standalone: true, health: { healthy: true, message: 'default (emulator, 128×64)' } }]);
  });

  it('calls an actor on another host through a link, as if it ran here', async () => {
    const work = await mkdtemp(join(tmpdir(), 'badger-remote-actors-'));
    const greeter = await piHost.startActor(await signedFile(work, 'greeter', await greeterComponent()));
    const caller = await host.startActor(await signedFile(work, 'caller', await greeterCallerComponent(), ['example:greeter/greet']));
    await host.putLink({ source: caller.id, interface: 'example:greeter/greet', target: greeter.id });
    const callRun = () => host.invoke(caller.id, { kind: 'call', name: 'run', args: [21] });
    expect(await whenReachable(callRun, (result) => result.ok)).toEqual({ ok: true, value: { ok: 42 } });
    expect((await host.linksWithHealth()).find((link) => link.target === greeter.id)?.health).toEqual({ healthy: true });
    await piHost.stopActor(greeter.id);
    expect(await callRun()).toMatchObject({ ok: false, code: 'ACTOR_CALL_FAILED', message: expect.stringMatching(new RegExp(`no actor ${greeter.id} is running on lattice remote`)) });
    expect((await host.linksWithHealth()).find((link) => link.target === greeter.id)?.health).toEqual({ healthy: false, message: `no actor ${greeter.id} is running on lattice remote` });
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
    const health = (await host.linksWithHealth()).filter((link) => link.source === counter.id).map((link) => [link.interface, link.target, link.health]);
    expect(health).toEqual(
      expect.arrayContaining([
        ['wasi:keyvalue/store', 'kv-nowhere', { healthy: false, message: 'no provider kv-nowhere is running on lattice remote' }],
        ['wasi:http/incoming-handler', http.id, expect.objectContaining({ healthy: true })],
      ]),
    );
  });
});
