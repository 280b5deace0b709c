import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { claimsCommand } from './claims-command.ts';
import { demoCommand } from './demo-command.ts';
import { keysCommand } from './keys-command.ts';

// Sources sit one level below package.json and compiled files two (dist/cli/), so look upwards.
function packageVersion(): string {
  for (let dir = new URL('./', import.meta.url); dir.pathname !== '/'; dir = new URL('../', dir)) {
    const candidate = new URL('package.json', dir);
    if (existsSync(candidate)) return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

export function buildProgram(): Command {
  return new Command('badger')
    .description('awesome-badger: run signed WebAssembly actors and link them to capability providers')
    .version(packageVersion())
    .option('--verbose', 'print stack traces with errors')
    .showHelpAfterError('(run with --help for usage)')
    .addCommand(keysCommand())
    .addCommand(claimsCommand())
    .addCommand(demoCommand());
}
