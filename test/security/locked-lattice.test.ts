/**
 * Attacks on a locked lattice, each made as an outsider would: a plain NATS client on the same
 * server, with no key the lattice trusts. Real nats-server, real hosts, real NATS clients.
 */
import { decode, encode } from '@msgpack/msgpack';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers, type Msg, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken } from '../../claims/index.ts';
import { callRemoteActor, callRemoteProvider, cloudEvent, CONTROL_WIRE_VERSION, issueVoucher, LatticeBus, requestLattice } from '../../host/lattice/index.ts';
import { keyValueProvider } from '../../providers/keyvalue/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { eventually, joinedHost, signedComponentFile, type JoinedHost } from '../fixtures/lattice-host.ts';
import { latticeKeys, memberBus, operatorBus, type LatticeKeys } from '../fixtures/lattice-members.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';
import { greeterComponent } from '../fixtures/wat-components.ts';

const LATTICE = 'locked';
const KV = 'wasi:keyvalue/store';
const GREET = 'example:greeter/greet';

let nats: RunningNats;
/** The attacker: connected to the lattice's NATS server, trusted by nobody. */
let outsider: NatsConnection;
let keys: LatticeKeys;
let laptop: JoinedHost;
let pi: JoinedHost;
let kvTool: string;
let greeter: string;
const secretBucket = 'secrets';

const rpc = (target: string, iface: string) => `badger.rpc.${LATTICE}.${target}.${iface}`;
const ours = generateKeyPair('account');

beforeAll(async () => {
  nats = await startNatsServer();
  outsider = await connect({ servers: nats.url });
  keys = latticeKeys();
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('kv-tool')))!).iss;
  const issuers = [issuer, ours.publicKey];
  laptop = await joinedHost(nats.url, LATTICE, { keys, issuers });
  pi = await joinedHost(nats.url, LATTICE, { keys, issuers });
  // The Pi runs the store and an actor that keeps a secret in it, and exports a greeter.
  await pi.host.startProvider(keyValueProvider({ id: 'kv-pi', fileRoot: await mkdtemp(join(tmpdir(), 'badger-kv-root-')) }));
  kvTool = (await pi.host.startActor(builtActor('kv-tool'))).id;
  await pi.host.putLink({ source: kvTool, interface: KV, target: 'kv-pi', config: { bucket: secretBucket } });
  const set = await pi.host.invoke(kvTool, { kind: 'call', name: 'tool.set', args: ['default', 'password', new TextEncoder().encode('hunter2')] });
  expect(set).toMatchObject({ ok: true });
  greeter = (await pi.host.startActor(await signedComponentFile(ours, 'greeter', await greeterComponent()))).id;
}, 60_000);

afterAll(async () => {
  for (const member of [laptop, pi]) {
    await member?.membership.leave();
    await member?.host.shutdown();
  }
  await outsider?.close();
  await nats?.stop();
});

/** What the provider answers an RPC the outsider sends as msgpack. */
async function outsiderRpc(subject: string, request: unknown, stamp?: string): Promise<{ failed?: string; code?: string; ok?: unknown; err?: unknown }> {
  const carried = headers();
  if (stamp) carried.set('Badger-Auth', stamp);
  const reply = await outsider.request(subject, encode(request), { timeout: 3000, headers: carried });
  return decode(reply.data) as never;
}

const secret = async () => {
  const read = await pi.host.invoke(kvTool, { kind: 'call', name: 'tool.get', args: ['default', 'password'] });
  return read.ok ? new TextDecoder().decode((read.value as { ok?: Uint8Array }).ok) : `failed: ${JSON.stringify(read)}`;
};

describe('a locked lattice refuses what an outsider sends', () => {
  it('creates no file store where a forged link config points, and neither reads nor writes a bucket', async () => {
    const where = join(await mkdtemp(join(tmpdir(), 'badger-attack-')), 'planted');
    const forged = { source: kvTool, interface: KV, name: 'default', config: { backend: 'file', path: where, bucket: secretBucket } };
    const write = await outsiderRpc(rpc('kv-pi', KV), { operation: 'set', args: ['default', 'password', new TextEncoder().encode('owned')], link: forged, budgetMs: 1000 });
    expect(write).toMatchObject({ code: 'LATTICE_UNTRUSTED', failed: expect.stringContaining('not signed') });
    const read = await outsiderRpc(rpc('kv-pi', KV), { operation: 'get', args: ['default', 'password'], link: forged, budgetMs: 1000 });
    expect(read).not.toHaveProperty('ok');
    expect(JSON.stringify(read)).not.toContain('hunter2');
    await expect(stat(where)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await secret()).toBe('hunter2');
    expect(pi.refused.some(({ subject, reason }) => subject === rpc('kv-pi', KV) && /not signed/.test(reason))).toBe(true);
  });

  it('refuses a stamp made up in a trusted host\'s name, without that host\'s session key', async () => {
    const forgedStamp = `mac ${laptop.id} AAAAAAAAAAAA ${Date.now()} 1 ${Buffer.alloc(32, 7).toString('base64url')}`;
    const answer = await outsiderRpc(rpc('kv-pi', KV), { operation: 'get', args: ['default', 'password'], link: { source: kvTool, interface: KV, name: 'default' }, budgetMs: 1000 }, forgedStamp);
    expect(answer).toMatchObject({ code: 'LATTICE_UNTRUSTED' });
    expect(answer.failed).toMatch(/no longer hands out|has no session key|does not match its MAC/);
  });

  it('does not shake hands once per made-up key id: a flood of them costs the receiver one handshake at most', async () => {
    let handshakes = 0;
    const counting = outsider.subscribe(`badger.auth.${LATTICE}.${laptop.id}`, { callback: () => handshakes++ });
    await outsider.flush();
    try {
      for (let i = 0; i < 20; i++) {
        const stamp = `mac ${laptop.id} forged${String(i).padStart(5, '0')} ${Date.now()} 1 ${Buffer.alloc(32, i).toString('base64url')}`;
        const answer = await outsiderRpc(rpc('kv-pi', KV), { operation: 'get', args: ['default', 'password'], link: { source: kvTool, interface: KV, name: 'default' }, budgetMs: 1000 }, stamp);
        expect(answer).toMatchObject({ code: 'LATTICE_UNTRUSTED' });
      }
      expect(handshakes).toBeLessThanOrEqual(1);
    } finally {
      counting.unsubscribe();
    }
  });

  it('refuses a member vouched for by a cluster key the lattice does not trust', async () => {
    const rogueCluster = generateKeyPair('cluster');
    const rogue = generateKeyPair('host');
    const bus = new LatticeBus({
      connection: outsider,
      lattice: LATTICE,
      identity: { role: 'member', key: rogue, voucher: issueVoucher(rogueCluster, rogue.publicKey, LATTICE, Math.floor(Date.now() / 1000)) },
      trust: { operators: [], clusterIssuers: [rogueCluster.publicKey] },
    });
    try {
      const reply = await callRemoteActor(bus, greeter, GREET, { kind: 'call', iface: GREET, fn: 'twice', args: [21] }, 2000);
      expect(reply).toMatchObject({ failed: expect.stringContaining('which this lattice does not trust') });
    } finally {
      bus.stop();
    }
  });

  it('adds no link for a forged link event, on any host', async () => {
    const forged = { source: kvTool, interface: 'wasi:keyvalue/atomics', name: 'default', target: 'kv-evil', config: { backend: 'file', path: '/tmp' } };
    outsider.publish(`badger.evt.${LATTICE}.link_put`, JSON.stringify(cloudEvent('link_put', pi.id, forged, 'forged-1', new Date())));
    await outsider.flush();
    // A real link put after it, through the operator, reaches every host: the forged one would have too.
    const real = { source: kvTool, interface: 'wasi:keyvalue/batch', target: 'kv-pi' };
    expect(await requestLattice(operatorBus(outsider, LATTICE, keys.operator), { op: 'put-link', ...real }, { hostId: pi.id })).toMatchObject({ ok: true });
    expect(await eventually(() => laptop.host.links.query({ source: kvTool, interface: 'wasi:keyvalue/batch' }).length === 1)).toBe(true);
    for (const member of [laptop, pi]) expect(member.host.links.query({ target: 'kv-evil' })).toEqual([]);
  });

  it('refuses a call to an actor\'s export without a trusted stamp, and serves a trusted member', async () => {
    const answer = await outsiderRpc(rpc(greeter, GREET), { kind: 'call', iface: GREET, fn: 'twice', args: [21], budgetMs: 1000 });
    expect(answer).toMatchObject({ code: 'LATTICE_UNTRUSTED', failed: expect.stringContaining('not signed') });
    // An operator's signature does not do either: actor RPC is for the lattice's members.
    const operatorCall = await callRemoteActor(operatorBus(outsider, LATTICE, keys.operator), greeter, GREET, { kind: 'call', iface: GREET, fn: 'twice', args: [21] }, 2000);
    expect(operatorCall).toMatchObject({ failed: expect.stringContaining('only hosts and providers') });
    const member = memberBus(outsider, LATTICE, keys);
    try {
      expect(await callRemoteActor(member, greeter, GREET, { kind: 'call', iface: GREET, fn: 'twice', args: [21] }, 2000)).toEqual({ value: { ok: 42 } });
    } finally {
      member.stop();
    }
  });

  it('refuses an unsigned control request and lists no host for an unsigned ping', async () => {
    const reply = await outsider.request(`badger.ctl.v1.${LATTICE}.stop-actor.${pi.id}`, JSON.stringify({ version: CONTROL_WIRE_VERSION, request: { op: 'stop-actor', actor: kvTool } }), { timeout: 2000 });
    expect(JSON.parse(reply.string()).response).toMatchObject({ ok: false, code: 'CONTROL_DENIED', message: 'the message is not signed' });
    expect(pi.host.inventory().actors.map((actor) => actor.id)).toContain(kvTool);
  });
});

describe('a locked lattice refuses replays', () => {
  /** Captures the next message on `subject` as an eavesdropper on the server would, once the server has its subscription. */
  async function sniff(subject: string): Promise<{ readonly next: Promise<Msg> }> {
    const next = new Promise<Msg>((resolve) => outsider.subscribe(subject, { max: 1, callback: (_error, message) => resolve(message) }));
    await outsider.flush();
    // Wrapped: an async function returning the promise itself would wait for the message.
    return { next };
  }

  const replay = async (subject: string, captured: Msg) => {
    const carried = headers();
    carried.set('Badger-Auth', captured.headers!.get('Badger-Auth'));
    return outsider.request(subject, captured.data, { timeout: 2000, headers: carried });
  };

  it('refuses a captured control request sent again, on its own subject and on another host\'s', async () => {
    const admin = operatorBus(outsider, LATTICE, keys.operator);
    const subject = `badger.ctl.v1.${LATTICE}.scale-actor.${pi.id}`;
    const captured = await sniff(subject);
    expect(await requestLattice(admin, { op: 'scale-actor', actor: kvTool, maxInstances: 2 }, { hostId: pi.id })).toMatchObject({ ok: true });
    const message = await captured.next;
    expect(await requestLattice(admin, { op: 'scale-actor', actor: kvTool, maxInstances: 3 }, { hostId: pi.id })).toMatchObject({ ok: true });

    const again = JSON.parse((await replay(subject, message)).string());
    expect(again.response).toMatchObject({ ok: false, code: 'CONTROL_DENIED', message: expect.stringContaining('seen before') });
    const elsewhere = JSON.parse((await replay(`badger.ctl.v1.${LATTICE}.scale-actor.${laptop.id}`, message)).string());
    expect(elsewhere.response).toMatchObject({ ok: false, code: 'CONTROL_DENIED', message: expect.stringContaining('does not match its signature') });
    expect(pi.host.inventory().actors.find((actor) => actor.id === kvTool)?.limits.maxInstances).toBe(3);
  });

  it('refuses a captured member RPC sent again', async () => {
    await laptop.host.putLink({ source: 'laptop-actor', interface: KV, target: 'kv-pi', config: {} });
    const link = laptop.host.links.resolve('laptop-actor', KV)!;
    expect(await eventually(() => pi.host.links.resolve('laptop-actor', KV) !== undefined)).toBe(true);
    const captured = await sniff(rpc('kv-pi', KV));
    const bus = laptop.membership.bus;
    const outcome = await callRemoteProvider(bus, link, 'set', ['default', 'k', new Uint8Array([1])], 2000);
    expect(outcome && 'ok' in outcome).toBe(true);
    const again = decode((await replay(rpc('kv-pi', KV), await captured.next)).data) as { failed?: string; code?: string };
    expect(again).toMatchObject({ code: 'LATTICE_UNTRUSTED', failed: expect.stringContaining('seen before') });
  });
});
