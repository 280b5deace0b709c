import { readdirSync, readFileSync } from 'node:fs';

/**
 * Timing several ways of doing the same thing against one another, in one run, on a machine whose
 * speed drifts: each side warmed up alike, then timed in turns.
 */

/** Calls a side makes before the next side takes its turn. */
const BLOCK = 200;
/** Untimed calls that begin each turn. */
const SETTLING_CALLS = 5;

export interface Figures {
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

/** Background compilation takes less than this share of a core: the code being timed is compiled. */
const QUIET_SHARE = 0.15;
/** Rounds of warm-up, each side this long, while the background compiler is still busy. */
const ROUND_MS = 250;
/** A warm-up ends by then, quiet or not (and says so). */
const MAX_WARM_UP_MS = 30_000;
/** Linux counts thread CPU time in ticks of this many ms (USER_HZ is 100 on every architecture Node runs on). */
const MS_PER_TICK = 10;

/**
 * CPU time so far of V8's background threads in this process (named V8Worker: they compile hot
 * JavaScript and Wasm again, optimised, and help the garbage collector), in ms; undefined where
 * /proc does not say.
 */
function backgroundCpuMs(): number | undefined {
  try {
    let ticks = 0;
    for (const task of readdirSync('/proc/self/task')) {
      if (readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() !== 'V8Worker') continue;
      // utime and stime, the 14th and 15th fields; the command name before them is in parentheses.
      const fields = readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks * MS_PER_TICK;
  } catch {
    return undefined;
  }
}

/**
 * Runs each side untimed, one after the other, for `ms` each and then in rounds until V8's
 * background threads are quiet. After an actor starts, its thread's hot code is compiled again,
 * optimised, in the background (jco's bindings, the channel, and the guest's Wasm: for a 12 MB
 * StarlingMonkey component, V8's helpers used a quarter of a core for 10–15 s). On two cores that
 * takes a core from whichever side uses two threads: the first key-value phase measured 0.42 and
 * the same phase run again 0.60, and the first round of invoke had a p99 7–9 times that of later
 * rounds. Each side is warmed up alike, so none is timed while the code is still being compiled.
 */
export async function warmUp(label: string, sides: Readonly<Record<string, () => Promise<void>>>, ms: number): Promise<void> {
  const began = performance.now();
  const runEach = async (forMs: number) => {
    for (const once of Object.values(sides)) {
      for (const from = performance.now(); performance.now() - from < forMs; ) await once();
    }
  };
  await runEach(ms);
  let cpuBefore = backgroundCpuMs();
  if (cpuBefore === undefined) return;
  for (;;) {
    const roundFrom = performance.now();
    await runEach(ROUND_MS);
    const cpuNow = backgroundCpuMs()!;
    const share = (cpuNow - cpuBefore) / (performance.now() - roundFrom);
    cpuBefore = cpuNow;
    const took = performance.now() - began;
    if (share < QUIET_SHARE) {
      if (took > ms * Object.keys(sides).length + ROUND_MS * 4) console.log(`# ${label}: warmed up for ${(took / 1000).toFixed(1)} s, until V8's background compiler was quiet`);
      return;
    }
    if (took > MAX_WARM_UP_MS) {
      console.log(`# ${label}: V8's background threads still used ${(share * 100).toFixed(0)} % of a core after ${(took / 1000).toFixed(1)} s of warm-up; timed anyway`);
      return;
    }
  }
}

/**
 * Operations per second of each side, run in turns (see timeInTurns) for about `seconds` each: a
 * disk's or a network's speed drifts within a run (the file backend's own set rate halved between
 * two runs), and a side measured alone would get whichever stretch it happened to run in.
 */
export async function ratesInTurns<Side extends string>(label: string, sides: Readonly<Record<Side, (i: number) => Promise<unknown>>>, seconds = 2, warmUpMs = 1000): Promise<Record<Side, number>> {
  let i = 0;
  const once = Object.fromEntries(Object.entries(sides).map(([side, op]) => [side, async () => void (await (op as (i: number) => Promise<unknown>)(i++))])) as Record<Side, () => Promise<void>>;
  // Each side first runs untimed for `warmUpMs` (see warmUp), and its last calls size the run,
  // from the slowest side, so that no side runs much beyond `seconds`.
  await warmUp(label, once, warmUpMs);
  let slowest = 0;
  for (const run of Object.values<() => Promise<void>>(once)) {
    const began = performance.now();
    for (let n = 0; n < 50; n++) await run();
    slowest = Math.max(slowest, (performance.now() - began) / 50);
  }
  const measured = await timeInTurns(Math.max(200, Math.floor((seconds * 1000) / slowest)), once);
  return Object.fromEntries(Object.entries(measured).map(([side, figures]) => [side, (figures as Figures).callsPerSecond])) as Record<Side, number>;
}
