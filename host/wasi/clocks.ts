/** Host side of wasi:clocks 0.2: wall and monotonic time, and pollables that wait on them. */
import { monotonicNow, Pollable } from './io.ts';

export function clocksImports(): Record<string, Record<string, unknown>> {
  return {
    'wasi:clocks/wall-clock': {
      now: () => {
        const ms = Date.now();
        return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
      },
      resolution: () => ({ seconds: 0n, nanoseconds: 1_000_000 }),
    },
    'wasi:clocks/monotonic-clock': {
      now: monotonicNow,
      resolution: () => 1n,
      subscribeInstant: (at: bigint) => Pollable.at(at),
      subscribeDuration: (duration: bigint) => Pollable.at(monotonicNow() + duration),
    },
  };
}
