import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy, localControlClient, RemoteError, startDaemon, type ControlClient, type Daemon } from '../../host/index.ts';
import { connectLattice, latticeControlClient } from '../../host/lattice/index.ts';
import { joinedHost, type JoinedHost } from '../fixtures/lattice-host.ts';
import { operatorBus } from '../fixtures/lattice-members.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';

let nats: RunningNats;
let daemon: Daemon;
let joined: JoinedHost;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  const home = await mkdtemp(join(tmpdir(), 'badger-client-'));
  daemon = await startDaemon({ home, socketPath: join(home, 'host.sock'), policy: defaultPolicy([]), labels: { side: 'local' }, logger: pino({ level: 'silent' }) });
  joined = await joinedHost(nats.url, 'clients', { labels: { side: 'lattice' }, issuers: [] });
  const connection = await connectLattice(nats.url);
  closers.push(() => connection.close());
  clients.lattice = latticeControlClient(operatorBus(connection, 'clients'), { hostId: joined.id, timeoutMs: 5000 });
  clients.local = localControlClient(daemon.socketPath);
});

afterAll(async () => {
  for (const close of closers) await close();
  await joined?.membership.leave();
  await joined?.host.shutdown();
  await daemon?.stop();
  await nats?.stop();
});

const clients: Record<'local' | 'lattice', ControlClient> = {} as never;

describe.each(['local', 'lattice'] as const)('a control client over the %s transport', (transport) => {
  it('answers each operation with its typed reply', async () => {
    // Typed replies: `labels`, `providers` and `links` are known fields, no cast.
    expect((await clients[transport].request({ op: 'ping' })).labels.side).toBe(transport);
    const inventory = await clients[transport].request({ op: 'get-inventory' });
    expect(inventory.labels.side).toBe(transport);
    expect([inventory.actors, inventory.providers, inventory.links]).toEqual([[], [], []]);
    expect(await clients[transport].request({ op: 'query-links' })).toEqual([]);
  });

  it("throws the host's coded error as a RemoteError", async () => {
    const failure = await clients[transport].request({ op: 'stop-actor', actor: 'nobody' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RemoteError);
    expect(failure).toMatchObject({ code: 'ACTOR_NOT_FOUND', known: true });
  });
});
