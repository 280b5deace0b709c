import { mkdtemp, rm } from 'node:fs/promises';
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

type Path = 'raw' | 'unlocked' | 'locked';
type Latency = { medianUs: number; p99Us: number };

/**
 * One round: the three paths' calls interleaved one by one, in an order that turns each time, so
 * that whatever else this machine does at a moment lands on all three alike (blocks of one path
 * after another put one path's calls into a busy spell and the next one's into a quiet one).
 */
async function interleavedLatencies(calls: Record<Path, () => Promise<unknown>>): Promise<Record<Path, Latency>> {
  const paths = Object.keys(calls) as Path[];
  for (let i = 0; i < 200; i++) for (const path of paths) await calls[path]();
  const samples = Object.fromEntries(paths.map((path) => [path, [] as number[]])) as Record<Path, number[]>;
  for (let i = 0; i < CALLS; i++) {
    for (let turn = 0; turn < paths.length; turn++) {
      const path = paths[(i + turn) % paths.length]!;
      const started = performance.now();
      await calls[path]();
      samples[path].push((performance.now() - started) * 1000);
    }
  }
  const latency = (values: number[]): Latency => {
    values.sort((a, b) => a - b);
    return { medianUs: values[Math.floor(CALLS / 2)]!, p99Us: values[Math.floor(CALLS * 0.99)]! };
  };
  return { raw: latency(samples.raw), unlocked: latency(samples.unlocked), locked: latency(samples.locked) };
}

const ROUNDS = 3;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * A small call across the lattice (leaf → hub → leaf): a key-value `get` from the laptop's leaf to
 * the store served on the Pi's leaf, through the host's RPC (msgpack, the contract's dispatch,
 * the provider), against a raw NATS request/reply between the same two leaves in the same run.
 * Twice: on an unlocked lattice, and on a locked one, where each request and reply carries an
 * MAC stamp and is checked against replay. Three rounds, each with the three paths' calls
 * interleaved; each figure is the median of the rounds' medians.
 */
export async function latticeScenario(): Promise<void> {
  const [hubPort, leafPort, leaf1Port, leaf2Port] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const storeDir = await mkdtemp(join(tmpdir(), 'badger-bench-hub-'));
  const servers: NatsProcess[] = [await runNatsServer(hubConfig({ host: '127.0.0.1', port: hubPort, leafPort, storeDir }), '127.0.0.1', hubPort)];
  for (const port of [leaf1Port, leaf2Port]) servers.push(await runNatsServer(leafConfig({ host: '127.0.0.1', port, remoteUrls: [`nats-leaf://127.0.0.1:${leafPort}`] }), '127.0.0.1', port));
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
    const rounds: Record<Path, Latency>[] = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await interleavedLatencies({ raw, unlocked, locked }));
    const figure = (path: Path, field: keyof Latency) => median(rounds.map((round) => round[path][field]));
    for (const [path, metric] of [['unlocked', 'rpc'], ['locked', 'locked-rpc']] as const) {
      const ratios = rounds.map((round) => round[path].medianUs / round.raw.medianUs);
      console.log(`# lattice ${metric}-median ratio per round: ${ratios.map((ratio) => ratio.toFixed(3)).join(' ')}`);
      report('lattice', `${metric}-median-us`, figure(path, 'medianUs'), figure('raw', 'medianUs'), { op: '<=', target: 1.5, on: 'ratio' });
      report('lattice', `${metric}-p99-us`, figure(path, 'p99Us'), figure('raw', 'p99Us'));
    }
  } finally {
    for (const connection of connections) await connection.close();
    for (const server of servers.reverse()) await server.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
}

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
