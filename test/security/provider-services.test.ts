/**
 * A provider's named services (the display's snapshot) cross process boundaries both ways: a tool
 * asks one on the lattice or the control socket, and the answer comes back to a terminal or a
 * browser. A rogue answer must not make the CLI allocate or draw what it says, and hostile requests
 * must not take the provider down.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy, requestLocalHost, startDaemon, type Daemon } from '../../host/index.ts';
import { callRemoteService, connectLattice, serveStandaloneProvider, serviceSubject, type NatsConnection } from '../../host/lattice/index.ts';
import { displaySnapshotFrom, OLED_DISPLAY, oledDisplayDescriptor, oledDisplayProvider } from '../../providers/oled-display/index.ts';
import { runCli } from '../cli/run-cli.ts';
import { memberBus, operatorBus } from '../fixtures/lattice-members.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';

const LATTICE = 'services';
let nats: RunningNats;
let rogue: NatsConnection;
let member: NatsConnection;
let asker: NatsConnection;
const display = oledDisplayProvider({ id: 'display' });

beforeAll(async () => {
  nats = await startNatsServer();
  // A "display" that answers every snapshot with a frame of a billion pixels a side.
  rogue = await connectLattice(nats.url);
  rogue.subscribe(serviceSubject(LATTICE, 'rogue', 'snapshot'), {
    callback: (_error, message) => message.respond(JSON.stringify({ ok: { panel: 'default', width: 1_000_000_000, height: 1_000_000_000, bits: '' } })),
  });
  await rogue.flush();
  // A real display served on the lattice, with a panel open.
  member = await connectLattice(nats.url);
  await display.linkPut!({ source: 'MACTOR', target: 'display', interface: OLED_DISPLAY, name: 'default', config: {} });
  const bus = memberBus(member, LATTICE, undefined, { type: 'provider' });
  await serveStandaloneProvider({ bus, provider: display, key: bus.self! });
  asker = await connectLattice(nats.url);
}, 60_000);

afterAll(async () => {
  for (const connection of [rogue, member, asker]) await connection?.close();
  await display.shutdown?.();
  await nats?.stop();
});

describe("a display's snapshot, asked across processes", () => {
  it('is refused by the CLI when a rogue answer says more pixels than it carries', async () => {
    const run = await runCli(['oled', 'snapshot', '--nats', nats.url, '--lattice', LATTICE, '--provider', 'rogue', '-o', join(await mkdtemp(join(tmpdir(), 'badger-rogue-panel-')), 'p.png')], {
      BADGER_HOME: await mkdtemp(join(tmpdir(), 'badger-rogue-home-')),
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^error\[OLED_BAD_SNAPSHOT\]: /m);
  });

  it('answers hostile requests with a reason, and goes on serving good ones', async () => {
    const bus = operatorBus(asker, LATTICE);
    const ask = (request: unknown) => callRemoteService(bus, 'display', 'snapshot', request, 5000);
    for (const hostile of [{ panel: { $ne: null } }, 'default', 42, [1, 2], { panel: 'x'.repeat(100_000) }]) {
      await expect(ask(hostile)).rejects.toMatchObject({ code: 'LATTICE_NOT_FOUND' });
    }
    // Not JSON at all, straight onto the subject.
    const raw = await asker.request(serviceSubject(LATTICE, 'display', 'snapshot'), new TextEncoder().encode('{"panel":'), { timeout: 5000 });
    expect(JSON.parse(new TextDecoder().decode(raw.data))).toEqual({ failed: 'a snapshot request is JSON, or empty' });
    expect(displaySnapshotFrom(await ask({}))).toMatchObject({ panel: 'default', width: 128, height: 64 });
  });
});

describe('a named service asked on the control socket', () => {
  let daemon: Daemon;
  beforeAll(async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-services-'));
    daemon = await startDaemon({ home, socketPath: join(home, 'host.sock'), policy: defaultPolicy([]), logger: pino({ level: 'silent' }), providers: [oledDisplayDescriptor] });
    daemon.markReady();
    await daemon.host.startProvider(display);
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it("never reaches an object's inherited properties, and names no service the schema does not allow", async () => {
    for (const service of ['constructor', 'to-string', 'has-own-property']) {
      expect(await requestLocalHost(daemon.socketPath, { op: 'provider-service', service, request: {} })).toMatchObject({ ok: false, code: 'PROVIDER_NOT_FOUND' });
    }
    for (const service of ['__proto__', 'snap.shot', '>', 'Snapshot', 'x'.repeat(40)]) {
      expect(await requestLocalHost(daemon.socketPath, { op: 'provider-service', service, request: {} })).toMatchObject({ ok: false, code: 'CONTROL_MALFORMED' });
    }
    expect(await requestLocalHost(daemon.socketPath, { op: 'provider-service', service: 'snapshot', request: {} })).toMatchObject({ ok: true, data: { panel: 'default' } });
  });
});
