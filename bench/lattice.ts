import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { callRemoteProvider, connectLattice, hubConfig, leafConfig, runNatsServer, serveProviderRpc, type NatsProcess } from '../host/lattice/index.ts';
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

/**
 * A small call across the lattice (leaf → hub → leaf): a key-value `get` from the laptop's leaf to
 * the store served on the Pi's leaf, through the host's RPC (msgpack, the contract's dispatch,
 * the provider), against a raw NATS request/reply between the same two leaves in the same run.
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
    const store = keyValueProvider({ id: 'kv-pi' });
    serveProviderRpc(pi, LATTICE, store);
    pi.subscribe('bench.raw', { callback: (_error, message) => message.respond(message.data) });
    await pi.flush();
    const link = { source: 'bench-actor', interface: 'wasi:keyvalue/store', name: 'default', target: 'kv-pi', config: {} };
    // Wait (bounded) for the leaves to see each other's interest through the hub.
    for (let attempt = 0; attempt < 100; attempt++) {
      const outcome = await callRemoteProvider(laptop, LATTICE, link, 'get', ['default', 'greeting'], 1000);
      if (outcome && 'ok' in outcome) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await callRemoteProvider(laptop, LATTICE, link, 'set', ['default', 'greeting', new TextEncoder().encode('hello')], 1000);
    const payload = new Uint8Array(64);
    const raw = await latencies(() => laptop.request('bench.raw', payload, { timeout: 1000 }));
    const rpc = await latencies(async () => {
      const outcome = await callRemoteProvider(laptop, LATTICE, link, 'get', ['default', 'greeting'], 1000);
      if (!outcome || !('ok' in outcome)) throw new Error(`the remote get failed: ${JSON.stringify(outcome)}`);
    });
    report('lattice', 'rpc-median-us', rpc.medianUs, raw.medianUs, { op: '<=', target: 1.5, on: 'ratio' });
    report('lattice', 'rpc-p99-us', rpc.p99Us, raw.p99Us);
  } finally {
    for (const connection of connections) await connection.close();
    for (const server of servers.reverse()) await server.stop();
  }
}
