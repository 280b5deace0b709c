import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { decodeClaimsToken, readTopLevelToken } from '../claims/index.ts';
import { ambientImports, callIncomingHandler, defaultPolicy, Host, singleRequestInstances, type IncomingHandlerExport, type IncomingRequestParts, type Invocation, transpileCached, wasiHttpImports } from '../host/index.ts';
import { report } from './report.ts';

const ACTORS = fileURLToPath(new URL('../actors-src/', import.meta.url));
const REQUEST: IncomingRequestParts = { method: 'GET', pathWithQuery: '/', scheme: 'http', authority: 'bench', headers: [], body: new Uint8Array() };

interface Figures {
  readonly medianUs: number;
  readonly p99Us: number;
  readonly callsPerSecond: number;
}

async function measure(calls: number, once: () => Promise<void>): Promise<Figures> {
  for (let i = 0; i < Math.min(20, calls); i++) await once();
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const before = performance.now();
    await once();
    latencies.push((performance.now() - before) * 1000);
  }
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    medianUs: latencies[Math.floor(latencies.length / 2)]!,
    p99Us: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!,
    callsPerSecond: calls / elapsed,
  };
}

/**
 * The same component called in-process, as jco generates it: the baseline the host is held to. It
 * reuses its instance exactly when the host does (the reusable-instances tag in the claims counts).
 */
export async function direct(path: string, cacheDir: string, calls: number): Promise<Figures> {
  const bytes = new Uint8Array(await readFile(path));
  const component = await transpileCached(bytes, cacheDir);
  const freshEachCall = singleRequestInstances(component, decodeClaimsToken(readTopLevelToken(bytes)!).wascap.tags);
  const imports = { ...ambientImports(() => {}, {}), ...wasiHttpImports() };
  let instance = await component.instantiate(imports);
  return measure(calls, async () => {
    if (freshEachCall) instance = await component.instantiate(imports);
    await callIncomingHandler(instance.incomingHandler as IncomingHandlerExport, REQUEST);
  });
}

/**
 * Per-call latency and throughput of HTTP invocations of hello-wat and hello through the host
 * (admission done, worker thread, message passing, routing), against direct in-process calls.
 */
export async function invokeScenario(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'badger-bench-invoke-'));
  const wat = join(ACTORS, 'hello-wat', 'build', 'hello-wat_s.wasm');
  const ts = join(ACTORS, 'hello', 'build', 'hello_s.wasm');
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(wat))!).iss;
  const host = new Host({ cacheDir: join(work, 'host-cache'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  const invocation: Invocation = { kind: 'http', request: REQUEST };
  try {
    for (const [label, path, calls] of [['wat', wat, 4000], ['ts', ts, 150]] as const) {
      const baseline = await direct(path, join(work, 'direct-cache'), calls);
      const actor = await host.startActor(path);
      const hosted = await measure(calls, async () => {
        const result = await host.invoke(actor.id, invocation);
        if (!result.ok) throw new Error(`${label}: ${result.code} ${result.message}`);
      });
      if (label === 'wat') {
        report('invoke', 'wat-added-median-us', hosted.medianUs - baseline.medianUs, baseline.medianUs, { op: '<=', target: 10, on: 'value' });
      } else {
        report('invoke', 'ts-median-us', hosted.medianUs, baseline.medianUs, { op: '<=', target: 2, on: 'ratio' });
      }
      report('invoke', `${label}-p99-us`, hosted.p99Us, baseline.p99Us, { op: '<=', target: 5, on: 'ratio' });
      report('invoke', `${label}-calls-per-s`, hosted.callsPerSecond, baseline.callsPerSecond, { op: '>=', target: 0.5, on: 'ratio' });
    }
  } finally {
    await host.shutdown();
  }
}
