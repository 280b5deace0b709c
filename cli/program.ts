import { packageVersion } from '../toolchain/index.ts';
import { Command } from 'commander';
import { callCommand, scaleCommand, startCommand, stopCommand, updateCommand } from './actor-commands.ts';
import { appCommand } from './app-command.ts';
import { artifactsCommand, pullCommand, pushCommand } from './artifact-commands.ts';
import { completionCommand } from './completion-command.ts';
import { devCommand } from './dev-command.ts';
import { doctorCommand } from './doctor-command.ts';
import { buildCommand } from './build-command.ts';
import { claimsCommand } from './claims-command.ts';
import { keysCommand } from './keys-command.ts';
import { getCommand, linkCommand } from './link-command.ts';
import { eventsCommand } from './events-command.ts';
import { natsCommand } from './nats-command.ts';
import { oledCommand } from './oled-command.ts';
import { providerCommand } from './provider-command.ts';
import { downCommand, upCommand } from './up-command.ts';
import { withExamples } from './examples.ts';
import { uiCommand } from './ui-command.ts';

export function buildProgram(): Command {
  const program = new Command('badger')
    .description('awesome-badger: run signed WebAssembly actors and link them to capability providers')
    .version(packageVersion())
    .option('--verbose', 'print stack traces with errors')
    .addHelpText(
      'after',
      '\nExit codes: 0 done; 1 failed, with error[CODE]: reason on stderr (with --json: {"ok": false, "code", "reason"} on stdout); 2 the command line does not parse (CLI_USAGE).\nEvery command takes --help; those that print take --json. Defaults for --nats and --lattice: ~/.badger/config.yaml.',
    )
    .addCommand(keysCommand())
    .addCommand(claimsCommand())
    .addCommand(buildCommand())
    .addCommand(pushCommand())
    .addCommand(pullCommand())
    .addCommand(artifactsCommand())
    .addCommand(devCommand())
    .addCommand(upCommand())
    .addCommand(downCommand())
    .addCommand(startCommand())
    .addCommand(stopCommand())
    .addCommand(updateCommand())
    .addCommand(scaleCommand())
    .addCommand(linkCommand())
    .addCommand(getCommand())
    .addCommand(callCommand())
    .addCommand(oledCommand())
    .addCommand(natsCommand())
    .addCommand(eventsCommand())
    .addCommand(providerCommand())
    .addCommand(appCommand())
    .addCommand(uiCommand())
    .addCommand(doctorCommand())
    .addCommand(completionCommand(buildProgram));
  return withExamples(program);
}
