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

/**
 * Runs each side untimed for `ms`, one side after the other. A thread's hot code is compiled again
 * in the background for a second or so after its first calls (jco's bindings, the guest's Wasm,
 * the channel): on two cores those compilations take a core from the calls being timed, and in the
 * first round of invoke they made the p99 of calls through an actor's thread 7–9 times that of
 * later rounds. Each side gets the same warm-up, so neither is timed while it is still cold.
 */
export async function warmUp(sides: Readonly<Record<string, () => Promise<void>>>, ms: number): Promise<void> {
  for (const once of Object.values(sides)) {
    for (const began = performance.now(); performance.now() - began < ms; ) await once();
  }
}
