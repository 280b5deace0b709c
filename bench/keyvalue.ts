import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { decodeClaimsToken, readTopLevelToken } from '../claims/index.ts';
import { ambientImports, Capabilities, defaultPolicy, Host, transpileCached, transpileToRun, wasiHttpImports } from '../host/index.ts';
import { openLatticeBuckets } from '../host/lattice/index.ts';
import { fileBackend, keyValueContract, keyValueDescriptor, keyValueProvider, memoryBackend, natsBackend, type Backend } from '../providers/keyvalue/index.ts';
import { startNatsServer } from '../test/fixtures/nats-server.ts';
import { report } from './report.ts';

const KV_TOOL = fileURLToPath(new URL('../actors-src/kv-tool/build/kv-tool_s.wasm', import.meta.url));
const VALUE = new TextEncoder().encode('v'.repeat(64));
const SECONDS = 2;

/** Operations per second of `op` run back to back for about SECONDS. */
async function rate(op: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await op(i);
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < SECONDS * 1000) await op(done++);
  return done / ((performance.now() - started) / 1000);
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
 * ratio, since the actor's own guest code costs more than the lookup. A nats get is still held to
 * the direct client.
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
      const direct = await (await open()).bucket('bench');
      for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) await host.putLink({ source: tool.id, interface: iface, target: store.id, config });
      const viaActor = (fn: string, ...args: unknown[]) => async () => {
        const result = await host.invoke(tool.id, { kind: 'call', name: fn, args });
        if (!result.ok || 'err' in (result.value as object)) throw new Error(`${fn}: ${JSON.stringify(result)}`);
      };
      const directSet = await rate((i) => direct.set(`k${i % 100}`, VALUE));
      const actorSet = await rate((i) => viaActor('tool.set', 'default', `k${i % 100}`, VALUE)());
      // A set to memory is a Map write: reported, held to nothing (see above).
      report('keyvalue', `${name}-set-ops`, actorSet, directSet, name === 'memory' ? undefined : GOAL);
      const directGet = await rate((i) => direct.get(`k${i % 100}`));
      const actorGet = await rate((i) => viaActor('tool.get', 'default', `k${i % 100}`)());
      if (name === 'nats') report('keyvalue', 'nats-get-ops', actorGet, directGet, GOAL);
      else {
        report('keyvalue', `${name}-get-ops-vs-direct`, actorGet, directGet);
        // The same actor with no host at all: in this thread, imports answered in place, with the bindings the host runs.
        const inProcess = await inProcessActor(direct, true, inProcessCache);
        const inProcessGet = await rate(async (i) => inProcess.tool.get('default', `k${i % 100}`));
        report('keyvalue', `${name}-get-ops`, actorGet, inProcessGet, GOAL);
        // Beside it: the same with bindings that never suspend, what the guest itself costs.
        const plain = await inProcessActor(direct, false, inProcessCache);
        report('keyvalue', `${name}-get-ops-vs-plain-bindings`, actorGet, await rate(async (i) => plain.tool.get('default', `k${i % 100}`)));
      }
    }
  } finally {
    await host.shutdown();
    await nats.stop();
  }
}
