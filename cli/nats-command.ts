import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { badgerHome } from '../host/index.ts';
import { publicKeyType } from '../claims/index.ts';
import { checkLatticeName, hubConfig, runNatsServer } from '../host/lattice/index.ts';
import { defaultLattice } from './config-file.ts';
import { CliError } from './errors.ts';
import { BUILT_IN_PROVIDERS } from './provider-kinds.ts';
import { collect, portNumber } from './options.ts';
import { emit, note } from './output.ts';

export function natsCommand(): Command {
  const nats = new Command('nats').description('NATS servers for a lattice');
  nats
    .command('hub')
    .description('print the config of a lattice hub (clients and leaf nodes, with JetStream), or --start it')
    .option('--host <address>', 'where to listen', '0.0.0.0')
    .option('--port <port>', 'the client port', '4222')
    .option('--leaf-port <port>', 'the leaf node port laptops join with badger up --leaf-remote', '7422')
    .option('--store <dir>', 'the JetStream store (default ~/.badger/nats)')
    .option('--member-user <nkey>', 'a NATS user (U…) for hosts and standalone providers, who connect with --nkey-seed (repeatable); with any user given, nobody else may connect', collect, [])
    .option('--operator-user <nkey>', 'a NATS user (U…) for the CLI and the dashboard: control requests and events, never RPC or events of its own (repeatable)', collect, [])
    .option('--lattice <name>', 'the lattice the users may use', defaultLattice())
    .option('--start', 'run nats-server with it until Ctrl-C')
    .option('--json', 'print JSON: the config and its ports (with --start, once it is up)')
    .action(async (options: { host: string; port: string; leafPort: string; store?: string; memberUser: string[]; operatorUser: string[]; lattice: string; start?: boolean; json?: boolean }) => {
      const storeDir = options.store ?? join(badgerHome(), 'nats');
      const [port, leafPort] = [portNumber(options.port, '--port'), portNumber(options.leafPort, '--leaf-port')];
      for (const [option, keys] of [['--member-user', options.memberUser], ['--operator-user', options.operatorUser]] as const) {
        for (const key of keys) if (publicKeyType(key) !== 'user') throw new CliError('CLI_BAD_ARGUMENT', `${option}: ${key} is not a user public key (U…); make one with badger keys gen user`);
      }
      const users = options.memberUser.length + options.operatorUser.length > 0 ? { lattice: checkLatticeName(options.lattice), members: options.memberUser, operators: options.operatorUser, operatorServices: operatorServices() } : undefined;
      const config = hubConfig({ host: options.host, port, leafPort, storeDir, ...(users ? { users } : {}) });
      const described = { host: options.host, port, leafPort, storeDir, config };
      if (!options.start) return options.json ? emit(true, described, '') : void process.stdout.write(config);
      await mkdir(storeDir, { recursive: true });
      const probeHost = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
      const hub = await runNatsServer(config, probeHost, portNumber(options.port, '--port'));
      note(`lattice hub up: clients on ${options.host}:${options.port}, leaf nodes on ${options.host}:${options.leafPort}; Ctrl-C stops it`);
      if (options.json) process.stdout.write(`${JSON.stringify({ ...described, running: true })}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await hub.stop();
    });
  return nats;
}

/** The named services of the built-in providers (a display's snapshot): operators may ask them. */
function operatorServices(): string[] {
  return [...new Set(BUILT_IN_PROVIDERS.flatMap((kind) => Object.keys(kind.services ?? {})))];
}
