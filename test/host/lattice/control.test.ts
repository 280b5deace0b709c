import { readFile } from 'node:fs/promises';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken } from '../../../claims/index.ts';
import type { Host } from '../../../host/index.ts';
import { auction, connectLattice, CONTROL_WIRE_VERSION, discoverHosts, pickHost, satisfies, requestLattice, runNatsServerWith, type LatticeBus } from '../../../host/lattice/index.ts';
import { latticeKeys, operatorBus, type LatticeKeys } from '../../fixtures/lattice-members.ts';
import { joinedHost as joinedHostOf, type JoinedHost } from '../../fixtures/lattice-host.ts';
import { builtActor } from '../../actors/built-actors.ts';
import { freePort, startNatsServer, type RunningNats } from '../../fixtures/nats-server.ts';

let nats: RunningNats;
let client: NatsConnection;
/** The test's view of lattice `test`, as an unsigned CLI would have it. */
let lattice: LatticeBus;
const hosts: JoinedHost[] = [];

let issuer: string;

/** A host on the lattice that trusts the built actors' issuer. */
function joinedHost(servers: string, lattice: string, options: { labels?: Record<string, string>; keys?: LatticeKeys; heartbeatMs?: number } = {}): Promise<JoinedHost> {
  return joinedHostOf(servers, lattice, { ...options, issuers: [issuer] });
}

beforeAll(async () => {
  issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('hello-wat')))!).iss;
  nats = await startNatsServer();
  client = await connect({ servers: nats.url });
  lattice = operatorBus(client, 'test');
  hosts.push(
    await joinedHost(nats.url, 'test', { labels: { device: 'laptop' }, heartbeatMs: 200 }),
    await joinedHost(nats.url, 'test', { labels: { device: 'pi' }, heartbeatMs: 200 }),
  );
}, 30_000);

afterAll(async () => {
  for (const { host, membership } of hosts) {
    await membership.leave();
    await host.shutdown();
  }
  await client?.close();
  await nats?.stop();
});

describe('the control interface over NATS', () => {
  it('finds every host of the lattice by ping, with its id and labels', async () => {
    const found = await discoverHosts(lattice, 500);
    expect(found.map((host) => host.id)).toEqual(hosts.map((host) => host.id).sort());
    expect(found.map((host) => host.labels.device).sort()).toEqual(['laptop', 'pi']);
    expect(found.every((host) => /^N[A-Z2-7]{55}$/.test(host.id) && host.lattice === 'test')).toBe(true);
  });

  it('runs an operation on the host it names, and only there', async () => {
    const [, pi] = hosts;
    const started = await requestLattice(lattice, { op: 'start-actor', location: builtActor('hello-wat') }, { hostId: pi!.id });
    expect(started).toMatchObject({ ok: true, data: { name: 'hello-wat' } });
    const inventories = await Promise.all(hosts.map(({ id }) => requestLattice(lattice, { op: 'get-inventory' }, { hostId: id })));
    expect(inventories.map((answer) => (answer as { data: { actors: unknown[] } }).data.actors.length)).toEqual([0, 1]);
  });

  it('auctions: only hosts whose labels hold every constraint answer, and the least loaded is picked', async () => {
    const [laptop, pi] = hosts;
    expect(satisfies({ device: 'pi', zone: 'hall' }, { device: 'pi' })).toBe(true);
    expect(satisfies({ device: 'pi' }, { device: 'pi', zone: 'hall' })).toBe(false);
    expect((await auction(lattice, { device: 'pi' }, 300)).map((host) => host.id)).toEqual([pi!.id]);
    expect(await auction(lattice, { device: 'toaster' }, 300)).toEqual([]);
    // With no constraint every host answers; the laptop runs nothing, the Pi runs hello-wat.
    expect(pickHost(await auction(lattice, {}, 300))?.id).toBe(laptop!.id);
  });

  it('keeps every link on every host: put or deleted on one, seen on all, and told to a host that joins later', async () => {
    const [laptop, pi] = hosts;
    // hello-wat runs on the Pi (started above); its link is put there.
    const actor = pi!.host.actorId('hello-wat');
    const link = { source: actor, interface: 'wasi:keyvalue/store', name: 'default', target: 'kv-pi', config: { bucket: 'visits' } };
    expect(await requestLattice(lattice, { op: 'put-link', ...link }, { hostId: pi!.id })).toMatchObject({ ok: true });
    const seenOn = async (host: Host, present: boolean) => {
      for (let attempt = 0; attempt < 50 && (host.links.query({ source: actor }).length > 0) !== present; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      return host.links.query({ source: actor });
    };
    expect(await seenOn(laptop!.host, true)).toEqual([link]);
    const late = await joinedHost(nats.url, 'test', { labels: { device: 'late' } });
    try {
      expect(late.host.links.query({ source: actor })).toEqual([link]);
      expect(await requestLattice(lattice, { op: 'del-link', source: actor, interface: 'wasi:keyvalue/store' }, { hostId: pi!.id })).toMatchObject({ ok: true });
      expect(await seenOn(laptop!.host, false)).toEqual([]);
      expect(await seenOn(late.host, false)).toEqual([]);
    } finally {
      await late.membership.leave();
      await late.host.shutdown();
    }
  });

  it('publishes heartbeats as CloudEvents', async () => {
    const subscription = client.subscribe('badger.evt.test.host_heartbeat', { max: 4 });
    const sources = new Set<string>();
    for await (const message of subscription) {
      const event = JSON.parse(message.string()) as { specversion: string; type: string; source: string; data: { id: string } };
      expect(event).toMatchObject({ specversion: '1.0', type: 'dev.awesome-badger.lattice.host_heartbeat' });
      expect(event.data.id).toBe(event.source);
      sources.add(event.source);
    }
    expect([...sources].every((source) => hosts.some((host) => host.id === source))).toBe(true);
  });

  it('answers a malformed request with CONTROL_MALFORMED, and no host with LATTICE_UNAVAILABLE', async () => {
    const reply = await client.request(`badger.ctl.v1.test.get-inventory.${hosts[0]!.id}`, 'not json', { timeout: 2000 });
    expect(JSON.parse(reply.string())).toMatchObject({ version: CONTROL_WIRE_VERSION, response: { ok: false, code: 'CONTROL_MALFORMED' } });
    await expect(requestLattice(lattice, { op: 'get-inventory' }, { hostId: 'NNOSUCHHOST' })).rejects.toMatchObject({ code: 'LATTICE_UNAVAILABLE' });
  });
});

describe('a lattice whose NATS server goes away', () => {
  it('fails calls at once with LATTICE_UNAVAILABLE during the outage, and serves again once the server is back', async () => {
    const port = await freePort();
    const serve = () => runNatsServerWith(['-a', '127.0.0.1', '-p', String(port)], '127.0.0.1', port);
    let server = await serve();
    const { id, host, membership } = await joinedHost(server.url, 'outage');
    const caller = await connectLattice(server.url);
    const outage = operatorBus(caller, 'outage');
    try {
      expect(await requestLattice(outage, { op: 'get-inventory' }, { hostId: id })).toMatchObject({ ok: true });
      await server.stop();
      // Bounded: the client notices the loss within a moment; from then on every call fails at once
      // (the "unreachable" answer never waits for the timeout).
      let failure: { code?: string; message?: string } | undefined;
      for (let attempt = 0; attempt < 50 && !/unreachable/.test(failure?.message ?? ''); attempt++) {
        failure = await requestLattice(outage, { op: 'get-inventory' }, { hostId: id, timeoutMs: 1000 }).then(
          () => undefined,
          (error: { code?: string; message?: string }) => error,
        );
        if (!/unreachable/.test(failure?.message ?? '')) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(failure).toMatchObject({ code: 'LATTICE_UNAVAILABLE', message: expect.stringMatching(/unreachable/) });

      server = await serve();
      // Both the host and the caller reconnect by themselves (bounded: 10 s).
      let answer: unknown;
      for (let attempt = 0; attempt < 100 && answer === undefined; attempt++) {
        answer = await requestLattice(outage, { op: 'get-inventory' }, { hostId: id, timeoutMs: 500 }).catch(() => undefined);
        if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(answer).toMatchObject({ ok: true });
    } finally {
      await caller.close();
      await membership.leave();
      await host.shutdown();
      await server.stop();
    }
  }, 30_000);
});

describe('a host on a locked lattice (--ctl-allow, --cluster-issuer)', () => {
  it('runs the control requests of its operators, and refuses unsigned and foreign ones with CONTROL_DENIED', async () => {
    const keys = latticeKeys();
    const stranger = generateKeyPair('user');
    const { id, host, membership } = await joinedHost(nats.url, 'guarded', { keys });
    try {
      const ask = (signer?: typeof stranger) => requestLattice(operatorBus(client, 'guarded', signer), { op: 'get-inventory' }, { hostId: id });
      expect(await ask()).toMatchObject({ ok: false, code: 'CONTROL_DENIED', message: 'the message is not signed' });
      expect(await ask(stranger)).toMatchObject({ ok: false, code: 'CONTROL_DENIED', message: expect.stringContaining(`${stranger.publicKey} is not allowed`) });
      expect(await ask(keys.operator)).toMatchObject({ ok: true });
      // Unsigned pings do not even see it; signed ones do.
      expect(await discoverHosts(operatorBus(client, 'guarded'), 300)).toEqual([]);
      expect((await discoverHosts(operatorBus(client, 'guarded', keys.operator), 300)).map((found) => found.id)).toEqual([id]);
    } finally {
      await membership.leave();
      await host.shutdown();
    }
  });
});
