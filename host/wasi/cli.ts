/**
 * Host side of wasi:cli 0.2, for the command-line interfaces that Rust's, .NET's and Go's standard
 * libraries import and that the wasi:http/proxy world carries, so that a component written for
 * `wasmtime serve` runs unchanged: its environment is the actor's config, its output goes to the
 * actor's log, it reads no input, and it has no arguments or terminal.
 */
import type { ConfigSource } from './config.ts';
import { InputStream, OutputStream } from './io.ts';
import type { ActorLog } from './logging.ts';

/** Thrown into the guest by `exit`: it ends the invocation, and the host logs the code. */
export class ActorExited extends Error {
  readonly exitCode: number;

  constructor(exitCode: number) {
    super(`the actor called exit with code ${exitCode}`);
    this.exitCode = exitCode;
  }
}

export function cliImports(log: ActorLog, config: ConfigSource): Record<string, Record<string, unknown>> {
  const decoder = new TextDecoder();
  const current = typeof config === 'function' ? config : () => config;
  return {
    'wasi:cli/stderr': {
      getStderr: () => new OutputStream((chunk) => log('stderr', '', decoder.decode(chunk).trimEnd())),
    },
    'wasi:cli/stdout': {
      getStdout: () => new OutputStream((chunk) => log('stdout', '', decoder.decode(chunk).trimEnd())),
    },
    'wasi:cli/stdin': { getStdin: () => new InputStream(new Uint8Array()) },
    'wasi:cli/environment': { getEnvironment: () => Object.entries(current()), getArguments: () => [], initialCwd: () => undefined },
    'wasi:cli/exit': {
      exit: (status: { tag: 'ok' | 'err' }) => {
        throw new ActorExited(status.tag === 'ok' ? 0 : 1);
      },
      exitWithCode: (code: number) => {
        throw new ActorExited(code);
      },
    },
    'wasi:cli/terminal-input': { TerminalInput: class TerminalInput {} },
    'wasi:cli/terminal-output': { TerminalOutput: class TerminalOutput {} },
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
  };
}
