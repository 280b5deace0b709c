import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { callRemoteProvider, connectLattice, hubConfig, leafConfig, runNatsServer, serveProviderRpc, type LatticeBus, type NatsProcess } from '../host/lattice/index.ts';
import { latticeKeys, memberBus } from '../test/fixtures/lattice-members.ts';
import { keyValueProvider } from '../providers/keyvalue/index.ts';
import { freePort } from '../test/fixtures/nats-server.ts';
import { report } from './report.ts';

const CALLS = 3000;
const LATTICE = 'bench';

async function latencies(call: () => Promise<unknown>): Promise<{ medianUs: number; p99Us: number }> {
  for (let i = 0; i < 200; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await call();
    samples.push((performance.now() - started) * 1000);
  }
  samples.sort((a, b) => a - b);
  return { medianUs: samples[Math.floor(CALLS / 2)]!, p99Us: samples[Math.floor(CALLS * 0.99)]! };
}

const ROUNDS = 3;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * A small call across the lattice (leaf → hub → leaf): a key-value `get` from the laptop's leaf to
 * the store served on the Pi's leaf, through the host's RPC (msgpack, the contract's dispatch,
 * the provider), against a raw NATS request/reply between the same two leaves in the same run.
 * Twice: on an unlocked lattice, and on a locked one, where each request and reply carries an
 * HMAC stamp and is checked against replay. Three rounds, interleaved; each figure is the median
 * of the rounds' medians.
 */
export async function latticeScenario(): Promise<void> {
  const [hubPort, leafPort, leaf1Port, leaf2Port] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const servers: NatsProcess[] = [await runNatsServer(hubConfig({ host: '127.0.0.1', port: hubPort, leafPort, storeDir: await mkdtemp(join(tmpdir(), 'badger-bench-hub-')) }), '127.0.0.1', hubPort)];
  for (const port of [leaf1Port, leaf2Port]) servers.push(await runNatsServer(leafConfig({ host: '127.0.0.1', port, remoteUrl: `nats-leaf://127.0.0.1:${leafPort}` }), '127.0.0.1', port));
  const connections: NatsConnection[] = [];
  try {
    const pi = await connectLattice(`nats://127.0.0.1:${leaf2Port}`);
    const laptop = await connectLattice(`nats://127.0.0.1:${leaf1Port}`);
    connections.push(pi, laptop);
    pi.subscribe('bench.raw', { callback: (_error, message) => message.respond(message.data) });
    const payload = new Uint8Array(64);
    const raw = () => laptop.request('bench.raw', payload, { timeout: 1000 });
    const keys = latticeKeys();
    const unlocked = await remoteGet(memberBus(pi, LATTICE, undefined, { type: 'provider' }), memberBus(laptop, LATTICE), 'kv-open');
    const locked = await remoteGet(memberBus(pi, LATTICE, keys, { type: 'provider' }), memberBus(laptop, LATTICE, keys), 'kv-locked');
    const rounds: { raw: Latency; unlocked: Latency; locked: Latency }[] = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push({ raw: await latencies(raw), unlocked: await latencies(unlocked), locked: await latencies(locked) });
    const figure = (path: 'raw' | 'unlocked' | 'locked', field: keyof Latency) => median(rounds.map((round) => round[path][field]));
    for (const [path, metric] of [['unlocked', 'rpc'], ['locked', 'locked-rpc']] as const) {
      const ratios = rounds.map((round) => round[path].medianUs / round.raw.medianUs);
      console.log(`# lattice ${metric}-median ratio per round: ${ratios.map((ratio) => ratio.toFixed(3)).join(' ')}`);
      report('lattice', `${metric}-median-us`, figure(path, 'medianUs'), figure('raw', 'medianUs'), { op: '<=', target: 1.5, on: 'ratio' });
      report('lattice', `${metric}-p99-us`, figure(path, 'p99Us'), figure('raw', 'p99Us'));
    }
  } finally {
    for (const connection of connections) await connection.close();
    for (const server of servers.reverse()) await server.stop();
  }
}

type Latency = Awaited<ReturnType<typeof latencies>>;

/** A key-value provider served from the Pi's bus, and a call that reads one key from it over the laptop's. */
async function remoteGet(piBus: LatticeBus, laptopBus: LatticeBus, providerId: string): Promise<() => Promise<void>> {
  const store = keyValueProvider({ id: providerId });
  const link = { source: 'bench-actor', interface: 'wasi:keyvalue/store', name: 'default', target: providerId, config: {} };
  // The provider holds the link, as it would from the link's put on its host.
  await store.linkPut?.(link);
  serveProviderRpc(piBus, store, () => link);
  await piBus.connection.flush();
  // Wait (bounded) for the leaves to see each other's interest through the hub.
  for (let attempt = 0; attempt < 100; attempt++) {
    const outcome = await callRemoteProvider(laptopBus, link, 'get', ['default', 'greeting'], 1000);
    if (outcome && 'ok' in outcome) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await callRemoteProvider(laptopBus, link, 'set', ['default', 'greeting', new TextEncoder().encode('hello')], 1000);
  return async () => {
    const outcome = await callRemoteProvider(laptopBus, link, 'get', ['default', 'greeting'], 1000);
    if (!outcome || !('ok' in outcome)) throw new Error(`the remote get failed: ${JSON.stringify(outcome)}`);
  };
}
