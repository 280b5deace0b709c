import { Command, CommanderError } from 'commander';
import { allocatorPlanHere } from './allocator.ts';
import { configPath, configured } from './config-file.ts';
import { CliError } from './errors.ts';
import { buildProgram } from './program.ts';

/** Runs the CLI. Errors with a stable code print as one line; stacks only with --verbose. */
export async function main(argv: readonly string[]): Promise<void> {
  const allocator = allocatorPlanHere(argv);
  if (allocator.action === 'refuse') process.exit(reportError(new CliError('CLI_ALLOCATOR', allocator.reason), argv));
  const program = quietUsageErrors(buildProgram());
  const { problems } = configured();
  if (problems.length > 0) process.stderr.write(`warning: ${configPath()} is ignored: ${problems.join('; ')} (badger doctor checks it)\n`);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // Exit now: a failed verb may leave a connection or timer open that would keep the process up.
    process.exit(reportError(error, argv));
  }
}

/**
 * Every command throws its parse errors instead of printing them and exiting, so that they go out
 * as every other error does (`error[CLI_USAGE]`, or JSON with --json). Help and --version still
 * print as commander prints them.
 */
function quietUsageErrors(command: Command): Command {
  command.exitOverride().configureOutput({ outputError: () => {} }).showHelpAfterError(false);
  for (const sub of command.commands) quietUsageErrors(sub);
  return command;
}

// Commander's codes for a help or version display, which are not errors.
const DISPLAYS = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

function reportError(error: unknown, argv: readonly string[]): number {
  if (error instanceof CommanderError && DISPLAYS.has(error.code)) return error.exitCode;
  const usage = error instanceof CommanderError;
  const code = usage ? 'CLI_USAGE' : (error as { code?: unknown }).code;
  const message = usage ? `${error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (run with --help for usage)` : error instanceof Error ? error.message : String(error);
  const coded = typeof code === 'string' && /^[A-Z][A-Z_]+$/.test(code);
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ ok: false, code: coded ? code : 'INTERNAL', reason: message })}\n`);
  } else {
    process.stderr.write(coded ? `error[${code}]: ${message}\n` : `error: ${message}\n`);
  }
  if (argv.includes('--verbose') && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return usage ? 2 : 1;
}
