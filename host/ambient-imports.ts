import { randomBytes } from 'node:crypto';
import { monotonicNow, OutputStream, Pollable } from '../providers/http-server/index.ts';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical';
export type ActorLog = (level: LogLevel | 'stderr', context: string, message: string) => void;

/** What `wasi:config/store` reads from: a fixed map, or the host's live view of the actor's config. */
export type ConfigSource = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);

/**
 * The interfaces every actor gets without a claim: clocks, randomness, logging (to the host's log,
 * under the actor's id), stderr (the same log) and the config of its own link.
 */
export function ambientImports(log: ActorLog, config: ConfigSource): Record<string, Record<string, unknown>> {
  const current = typeof config === 'function' ? config : () => config;
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
    'wasi:random/random': {
      getRandomBytes: (length: bigint) => new Uint8Array(randomBytes(Number(length))),
      getRandomU64: () => randomBytes(8).readBigUInt64LE(),
    },
    'wasi:logging/logging': {
      log: (level: LogLevel, context: string, message: string) => log(level, context, message),
    },
    'wasi:cli/stderr': {
      getStderr: () => new OutputStream((chunk) => log('stderr', '', new TextDecoder().decode(chunk).trimEnd())),
    },
    'wasi:config/store': {
      get: (key: string) => current()[key],
      getAll: () => Object.entries(current()),
    },
  };
}
