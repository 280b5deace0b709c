/**
 * Host side of wasi:cli 0.2, for the command-line interfaces of the standard wasi:http/proxy world,
 * so that a component written for `wasmtime serve` runs unchanged: its output goes to the actor's
 * log, it reads no input, and it sees no environment, arguments or terminal.
 */
import { InputStream, OutputStream } from './io.ts';
import type { ActorLog } from './logging.ts';

export function cliImports(log: ActorLog): Record<string, Record<string, unknown>> {
  const decoder = new TextDecoder();
  return {
    'wasi:cli/stderr': {
      getStderr: () => new OutputStream((chunk) => log('stderr', '', decoder.decode(chunk).trimEnd())),
    },
    'wasi:cli/stdout': {
      getStdout: () => new OutputStream((chunk) => log('stdout', '', decoder.decode(chunk).trimEnd())),
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
  };
}
