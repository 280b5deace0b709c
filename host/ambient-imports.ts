import { randomBytes } from 'node:crypto';
import { InputStream, monotonicNow, OutputStream, Pollable } from '../providers/http-server/index.ts';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical';
/** A log level, or the standard stream a line was written to. */
export type ActorLogLevel = LogLevel | 'stdout' | 'stderr';
export type ActorLog = (level: ActorLogLevel, context: string, message: string) => void;

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
    // The command-line interfaces of the standard wasi:http/proxy world, so that a component
    // written for `wasmtime serve` runs unchanged: its output goes to the actor's log, it reads no
    // input, and it sees no environment, arguments or terminal.
    'wasi:cli/stderr': {
      getStderr: () => new OutputStream((chunk) => log('stderr', '', new TextDecoder().decode(chunk).trimEnd())),
    },
    'wasi:cli/stdout': {
      getStdout: () => new OutputStream((chunk) => log('stdout', '', new TextDecoder().decode(chunk).trimEnd())),
    },
    'wasi:cli/stdin': { getStdin: () => new InputStream(new Uint8Array()) },
    'wasi:cli/environment': { getEnvironment: () => [], getArguments: () => [], initialCwd: () => undefined },
    'wasi:cli/exit': {
      exit: (status: { tag: 'ok' | 'err' }) => {
        // Traps the instance: the host answers for it and starts a fresh one.
        throw new Error(`the actor called exit (${status.tag})`);
      },
    },
    'wasi:cli/terminal-input': { TerminalInput: class TerminalInput {} },
    'wasi:cli/terminal-output': { TerminalOutput: class TerminalOutput {} },
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
    'wasi:config/store': {
      get: (key: string) => current()[key],
      getAll: () => Object.entries(current()),
    },
  };
}
