import { CommanderError } from 'commander';
import { configPath, configured } from './config-file.ts';
import { buildProgram } from './program.ts';

/** Runs the CLI. Errors with a stable code print as one line; stacks only with --verbose. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  const { problems } = configured();
  if (problems.length > 0) process.stderr.write(`warning: ${configPath()} is ignored: ${problems.join('; ')} (badger doctor checks it)\n`);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // Exit now: a failed verb may leave a connection or timer open that would keep the process up.
    process.exit(reportError(error, argv));
  }
}

function reportError(error: unknown, argv: readonly string[]): number {
  // Commander has already printed its own usage errors; only its exit code is left to pass on.
  if (error instanceof CommanderError) return error.exitCode;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const coded = typeof code === 'string' && /^[A-Z][A-Z_]+$/.test(code);
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ ok: false, code: coded ? code : 'INTERNAL', reason: message })}\n`);
  } else {
    process.stderr.write(coded ? `error[${code}]: ${message}\n` : `error: ${message}\n`);
  }
  if (argv.includes('--verbose') && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
}
