import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { decodeClaimsToken, readTopLevelToken } from '../claims/index.ts';
import { ambientImports, callIncomingHandler, Capabilities, defaultPolicy, Host, singleRequestInstances, type IncomingHandlerExport, type IncomingRequestParts, type Invocation, transpileToRun, wasiHttpImports } from '../host/index.ts';
import { report } from './report.ts';

const ACTORS = fileURLToPath(new URL('../actors-src/', import.meta.url));
const REQUEST: IncomingRequestParts = { method: 'GET', pathWithQuery: '/', scheme: 'http', authority: 'bench', headers: [], body: new Uint8Array() };

/** Calls a side makes before the next side takes its turn. */
const BLOCK = 200;
/** Untimed calls that begin each turn. */
const SETTLING_CALLS = 5;

interface Figures {
  readonly medianUs: number;
  readonly p99Us: number;
  readonly callsPerSecond: number;
}

function figures(latencies: number[], elapsedSeconds: number): Figures {
  latencies.sort((a, b) => a - b);
  return {
    medianUs: latencies[Math.floor(latencies.length / 2)]!,
    p99Us: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!,
    callsPerSecond: latencies.length / elapsedSeconds,
  };
}

/**
 * Times each side's calls in turns, a block of calls each, so that every side sees the same
 * stretches of a machine whose speed drifts (another tenant, a CPU frequency step) rather than one
 * of them getting the quiet part of the run. Blocks rather than single calls: a thread that has
 * just run the other side's call has lost its caches and its spin, and each would pay for that.
 */
export async function timeInTurns<Side extends string>(calls: number, sides: Readonly<Record<Side, () => Promise<void>>>): Promise<Record<Side, Figures>> {
  const entries = Object.entries(sides) as [Side, () => Promise<void>][];
  for (let i = 0; i < Math.min(20, calls); i++) for (const [, once] of entries) await once();
  const latencies = new Map<Side, number[]>(entries.map(([side]) => [side, []]));
  const elapsed = new Map<Side, number>(entries.map(([side]) => [side, 0]));
  const block = Math.max(1, Math.min(BLOCK, Math.floor(calls / 10)));
  for (let done = 0; done < calls; done += block) {
    for (const [side, once] of entries) {
      // Untimed: the switch from the other side (a thread woken, caches refilled) is not a call's cost.
      for (let i = 0; i < SETTLING_CALLS; i++) await once();
      for (let i = done; i < Math.min(calls, done + block); i++) {
        const before = performance.now();
        await once();
        const took = performance.now() - before;
        latencies.get(side)!.push(took * 1000);
        elapsed.set(side, elapsed.get(side)! + took / 1000);
      }
    }
  }
  return Object.fromEntries(entries.map(([side]) => [side, figures(latencies.get(side)!, elapsed.get(side)!)])) as Record<Side, Figures>;
}

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
    for (const [label, path, calls] of [['wat', wat, 4000], ['ts', ts, 150]] as const) {
      const actor = await host.startActor(path);
      const { hosted, baseline } = await timeInTurns(calls, {
        baseline: await direct(path, join(work, 'direct-cache')),
        hosted: async () => {
          const result = await host.invoke(actor.id, invocation);
          if (!result.ok) throw new Error(`${label}: ${result.code} ${result.message}`);
        },
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
    await rm(work, { recursive: true, force: true });
  }
}
