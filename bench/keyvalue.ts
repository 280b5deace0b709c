import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { decodeClaimsToken, readTopLevelToken } from '../claims/index.ts';
import { ambientImports, Capabilities, defaultPolicy, forgetKeptReads, Host, transpileCached, transpileToRun, wasiHttpImports } from '../host/index.ts';
import { openLatticeBuckets } from '../host/lattice/index.ts';
import { fileBackend, keyValueContract, keyValueDescriptor, keyValueProvider, memoryBackend, natsBackend, type Backend } from '../providers/keyvalue/index.ts';
import { startNatsServer } from '../test/fixtures/nats-server.ts';
import { ratesInTurns } from './turns.ts';
import { report } from './report.ts';

const KV_TOOL = fileURLToPath(new URL('../actors-src/kv-tool/build/kv-tool_s.wasm', import.meta.url));
const VALUE = new TextEncoder().encode('v'.repeat(64));

const HELLO = fileURLToPath(new URL('../actors-src/hello/build/hello_s.wasm', import.meta.url));

/**
 * Routed imports are answered on the host's main thread, which also starts and stops actors: the
 * p99 of a get while the host starts and stops `hello` (13 MB) over and over, against the p99 when
 * it does nothing else. Reported, held to nothing: it shows how long imports queue behind the
 * main thread's other work (issue 19, point 4).
 */
async function whileStartingActors(host: Host, get: () => Promise<void>): Promise<void> {
  const p99 = async (calls: number) => {
    const latencies: number[] = [];
    for (let i = 0; i < calls; i++) {
      const began = performance.now();
      await get();
      latencies.push((performance.now() - began) * 1000);
    }
    return latencies.sort((a, b) => a - b)[Math.floor(calls * 0.99)]!;
  };
  const quiet = await p99(2000);
  let starting = true;
  const churn = (async () => {
    while (starting) await host.stopActor((await host.startActor(HELLO)).id);
  })();
  const busy = await p99(2000);
  starting = false;
  await churn;
  report('keyvalue', 'memory-get-p99-us-while-starting-actors', busy, quiet);
}

/**
 * kv-tool in this thread, its imports answered in place from what the backend holds. `asTheHostRuns`:
 * with the bindings the host runs it with (its exports may suspend, as it imports wasi:io/poll);
 * otherwise plain synchronous bindings, which no host that serves HTTP bodies could use.
 */
async function inProcessActor(bucket: Awaited<ReturnType<Backend['bucket']>>, asTheHostRuns: boolean, cacheDir: string): Promise<{ tool: { get(bucket: string, key: string): unknown } }> {
  const bytes = new Uint8Array(await readFile(KV_TOOL));
  const component = asTheHostRuns ? await transpileToRun(bytes, cacheDir, new Capabilities([keyValueDescriptor])) : await transpileCached(bytes, cacheDir);
  const values = new Map<string, Uint8Array | undefined>();
  for (let i = 0; i < 100; i++) values.set(`k${i}`, await bucket.get(`k${i}`));
  const answer = (_iface: string, operation: string, args: unknown[]) => (operation === 'get' ? values.get(args[1] as string) : undefined);
  return (await component.instantiate({ ...ambientImports(() => {}, {}), ...wasiHttpImports(), ...keyValueContract.guestImports(answer) })) as never;
}

/**
 * get and set through the kv-tool actor (host, worker thread, routed import, provider), for memory,
 * file and nats, in one run. A set is held to the same backend called directly from Node. A get
 * from memory or a file is held to the same actor, with the bindings the host runs, its imports
 * answered in its own thread (no host at all): against a bare Map lookup, no actor could meet a
 * ratio, since the actor's own guest code costs more than the lookup. Those gets repeat 100 keys
 * that nothing writes meanwhile, so the actor's thread answers them from the reads it kept (see
 * Contract.keptReads); the same gets with the kept reads forgotten before each one, so that each
 * crosses to the provider, are printed beside them. A nats get is held to the direct client.
 */
export async function keyValueScenario(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'badger-bench-kv-'));
  // One cache for the in-process actors of every backend: kv-tool is transpiled once per kind of bindings.
  const inProcessCache = join(work, 'in-process-cache');
  const nats = await startNatsServer();
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(KV_TOOL))!).iss;
  const host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  const store = keyValueProvider({ latticeBuckets: openLatticeBuckets });
  await host.startProvider(store);
  const tool = await host.startActor(KV_TOOL);
  const backends: [string, () => Promise<Backend>, Record<string, string>][] = [
    ['memory', async () => memoryBackend(), { backend: 'memory', bucket: 'bench' }],
    ['file', () => fileBackend(join(work, 'direct-files')), { backend: 'file', path: join(work, 'actor-files'), bucket: 'bench' }],
    ['nats', async () => natsBackend(await openLatticeBuckets(nats.url)), { backend: 'nats', url: nats.url, bucket: 'bench' }],
  ];
  const GOAL = { op: '>=', target: 0.5, on: 'ratio' } as const;
  try {
    for (const [name, open, config] of backends) {
      const backend = await open();
      const direct = await backend.bucket('bench');
      for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) await host.putLink({ source: tool.id, interface: iface, target: store.id, config });
      const viaActor = (fn: string, ...args: unknown[]) => async () => {
        const result = await host.invoke(tool.id, { kind: 'call', name: fn, args });
        if (!result.ok || 'err' in (result.value as object)) throw new Error(`${fn}: ${JSON.stringify(result)}`);
      };
      const set = await ratesInTurns(`keyvalue ${name} set`, { direct: (i) => direct.set(`k${i % 100}`, VALUE), actor: (i) => viaActor('tool.set', 'default', `k${i % 100}`, VALUE)() });
      // A set to memory is a Map write: reported, held to nothing (see above).
      report('keyvalue', `${name}-set-ops`, set.actor, set.direct, name === 'memory' ? undefined : GOAL);
      const getDirect = (i: number) => direct.get(`k${i % 100}`);
      const getViaActor = (i: number) => viaActor('tool.get', 'default', `k${i % 100}`)();
      if (name === 'nats') {
        const get = await ratesInTurns(`keyvalue ${name} get`, { direct: getDirect, actor: getViaActor });
        report('keyvalue', 'nats-get-ops', get.actor, get.direct, GOAL);
      } else {
        // The same actor with no host at all: in this thread, imports answered in place, with the
        // bindings the host runs; and with bindings that never suspend, what the guest itself costs.
        const inProcess = await inProcessActor(direct, true, inProcessCache);
        const plain = await inProcessActor(direct, false, inProcessCache);
        const get = await ratesInTurns(`keyvalue ${name} get`, {
          direct: getDirect,
          actor: getViaActor,
          // What a write by anyone would make the thread do: forgetting costs one atomic add.
          actorCrossing: (i) => (forgetKeptReads(), getViaActor(i)),
          inProcess: async (i) => inProcess.tool.get('default', `k${i % 100}`),
          plain: async (i) => plain.tool.get('default', `k${i % 100}`),
        });
        report('keyvalue', `${name}-get-ops-vs-direct`, get.actor, get.direct);
        report('keyvalue', `${name}-get-ops`, get.actor, get.inProcess, GOAL);
        report('keyvalue', `${name}-get-ops-not-kept`, get.actorCrossing, get.inProcess);
        report('keyvalue', `${name}-get-ops-vs-plain-bindings`, get.actor, get.plain);
        // A get that crosses (a kept read would not reach the main thread at all).
        if (name === 'memory') await whileStartingActors(host, () => (forgetKeptReads(), getViaActor(0)));
      }
      // Closed here, not left to the garbage collector (which warns of a file handle it closes).
      await backend.close();
    }
  } finally {
    await host.shutdown();
    await nats.stop();
    await rm(work, { recursive: true, force: true });
  }
}
