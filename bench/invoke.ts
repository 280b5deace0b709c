import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { decodeClaimsToken, readTopLevelToken } from '../claims/index.ts';
import { ambientImports, callIncomingHandler, Capabilities, defaultPolicy, Host, singleRequestInstances, type IncomingHandlerExport, type IncomingRequestParts, type Invocation, transpileToRun, wasiHttpImports } from '../host/index.ts';
import { report } from './report.ts';
import { timeInTurns, warmUp } from './turns.ts';

const ACTORS = fileURLToPath(new URL('../actors-src/', import.meta.url));
/**
 * Untimed calls on each side first, for at least this long (see warmUp). A hosted call crosses two
 * threads, and each wait that outlasts its spin sleeps and costs a wake-up of 0.1–1 ms here: while
 * V8 still compiles the hot code again in the background (hello's 12 MB of Wasm among it), a thread
 * gets descheduled often enough to set the p99. Measured (hello, 6,000 calls a round after 20,000
 * warm-up calls): calls over 0.7 ms went 77, 62, 44 in three rounds, then stayed near the
 * in-process figure (15–30); with 2 s of warm-up, ts-p99 ranged 1.2–7.0× the baseline's, with 6 s
 * 1.2–1.5×.
 */
const WARM_UP_MS = 6000;
const REQUEST: IncomingRequestParts = { method: 'GET', pathWithQuery: '/', scheme: 'http', authority: 'bench', headers: [], body: new Uint8Array() };

/**
 * The same component called in-process, with the bindings the host runs: the baseline the host is
 * held to. It reuses its instance exactly when the host does (the reusable-instances tag in the
 * claims counts).
 */
export async function direct(path: string, cacheDir: string): Promise<() => Promise<void>> {
  const bytes = new Uint8Array(await readFile(path));
  // The bindings the host runs (a component that imports wasi:io/poll gets exports that may suspend).
  const component = await transpileToRun(bytes, cacheDir, new Capabilities());
  const freshEachCall = singleRequestInstances(component, decodeClaimsToken(readTopLevelToken(bytes)!).wascap.tags);
  const imports = { ...ambientImports(() => {}, {}), ...wasiHttpImports() };
  let instance = await component.instantiate(imports);
  return async () => {
    if (freshEachCall) instance = await component.instantiate(imports);
    await callIncomingHandler(instance.incomingHandler as IncomingHandlerExport, REQUEST);
  };
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
    for (const [label, path, calls] of [['wat', wat, 20_000], ['ts', ts, 4000]] as const) {
      const actor = await host.startActor(path);
      const sides = {
        baseline: await direct(path, join(work, 'direct-cache')),
        hosted: async () => {
          const result = await host.invoke(actor.id, invocation);
          if (!result.ok) throw new Error(`${label}: ${result.code} ${result.message}`);
        },
      };
      await warmUp(`invoke ${label}`, sides, WARM_UP_MS);
      const { hosted, baseline } = await timeInTurns(calls, sides);
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
    await rm(work, { recursive: true, force: true });
  }
}
