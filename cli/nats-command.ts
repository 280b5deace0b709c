import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { badgerHome } from '../host/index.ts';
import { publicKeyType } from '../claims/index.ts';
import { checkLatticeName, clusterConfigs, hubConfig, runNatsServer, type LatticeUsers } from '../host/lattice/index.ts';
import { defaultLattice } from './config-file.ts';
import { CliError } from './errors.ts';
import { BUILT_IN_PROVIDERS } from './provider-kinds.ts';
import { collect, portNumber } from './options.ts';
import { emit, note } from './output.ts';

export function natsCommand(): Command {
  const nats = new Command('nats').description('NATS servers for a lattice');
  withUserOptions(
    nats
      .command('hub')
      .description('print the config of a lattice hub (clients and leaf nodes, with JetStream), or --start it')
      .option('--host <address>', 'where to listen', '0.0.0.0')
      .option('--port <port>', 'the client port', '4222')
      .option('--leaf-port <port>', 'the leaf node port laptops join with badger up --leaf-remote', '7422')
      .option('--store <dir>', 'the JetStream store (default ~/.badger/nats)'),
  )
    .option('--start', 'run nats-server with it until Ctrl-C')
    .option('--json', 'print JSON: the config and its ports (with --start, once it is up)')
    .action(async (options: { host: string; port: string; leafPort: string; store?: string; start?: boolean; json?: boolean } & UserOptions) => {
      const storeDir = options.store ?? join(badgerHome(), 'nats');
      const [port, leafPort] = [portNumber(options.port, '--port'), portNumber(options.leafPort, '--leaf-port')];
      const users = latticeUsers(options);
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
  withUserOptions(
    nats
      .command('cluster')
      .description('print the configs of a NATS cluster on this machine, for trying a lattice out (JetStream on each server, routes on loopback, a leaf node port on each), or --start it')
      .option('--size <n>', 'how many servers (3 keeps JetStream through the loss of one)', '3')
      .option('--host <address>', 'where clients and leaf nodes connect (routes stay on loopback)', '127.0.0.1')
      .option('--port <port>', "the first server's client port; the next servers take the next ports", '4222')
      .option('--cluster-port <port>', "the first server's route port", '6222')
      .option('--leaf-port <port>', "the first server's leaf node port", '7422')
      .option('--store <dir>', 'the JetStream stores, a folder per server (default ~/.badger/nats-cluster)'),
  )
    .option('--start', 'run the servers until Ctrl-C')
    .option('--json', 'print JSON: the servers, their ports and configs (with --start, once all are up)')
    .action(async (options: { size: string; host: string; port: string; clusterPort: string; leafPort: string; store?: string; start?: boolean; json?: boolean } & UserOptions) => {
      const size = Number(options.size);
      if (!Number.isInteger(size) || size < 1 || size > 9) throw new CliError('CLI_BAD_ARGUMENT', `--size ${options.size}: give a whole number of servers from 1 to 9 (3 keeps JetStream through the loss of one)`);
      const storeDir = options.store ?? join(badgerHome(), 'nats-cluster');
      const users = latticeUsers(options);
      const members = clusterConfigs({
        host: options.host,
        size,
        port: portNumber(options.port, '--port'),
        clusterPort: portNumber(options.clusterPort, '--cluster-port'),
        leafPort: portNumber(options.leafPort, '--leaf-port'),
        storeDir,
        ...(users ? { users } : {}),
      });
      const urls = members.map((member) => `nats://${options.host}:${member.port}`);
      const leafUrls = members.map((member) => `nats-leaf://${options.host}:${member.leafPort}`);
      const described = { storeDir, urls, leafUrls, servers: members };
      if (!options.start) {
        if (options.json) return emit(true, described, '');
        const said = members.map((member) => `# ${member.name}: clients on ${options.host}:${member.port}, routes on 127.0.0.1:${member.clusterPort}, leaf nodes on ${options.host}:${member.leafPort}\n${member.config}`);
        return void process.stdout.write(`${said.join('\n')}# hosts and clients connect to any of: ${urls.join(' ')}\n# leaves: badger up --leaf-remote ${leafUrls.join(',')}\n`);
      }
      const probeHost = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
      const running: Awaited<ReturnType<typeof runNatsServer>>[] = [];
      try {
        for (const member of members) {
          await mkdir(join(storeDir, member.name), { recursive: true });
          running.push(await runNatsServer(member.config, probeHost, member.port));
        }
        note(`cluster of ${size} up: hosts join with --nats ${urls.join(',')}, leaves with --leaf-remote ${leafUrls.join(',')}; Ctrl-C stops it`);
        if (options.json) process.stdout.write(`${JSON.stringify({ ...described, running: true })}\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
      } finally {
        await Promise.all(running.map((server) => server.stop()));
      }
    });
  return nats;
}

interface UserOptions {
  memberUser: string[];
  operatorUser: string[];
  lattice: string;
}

const withUserOptions = (command: Command) =>
  command
    .option('--member-user <nkey>', 'a NATS user (U…) for hosts and standalone providers, who connect with --nkey-seed (repeatable); with any user given, nobody else may connect', collect, [])
    .option('--operator-user <nkey>', 'a NATS user (U…) for the CLI and the dashboard: control requests and events, never RPC or events of its own (repeatable)', collect, [])
    .option('--lattice <name>', 'the lattice the users may use', defaultLattice());

/** The users the options name, each checked to be a user key; none when none is named. */
function latticeUsers(options: UserOptions): LatticeUsers | undefined {
  for (const [option, keys] of [['--member-user', options.memberUser], ['--operator-user', options.operatorUser]] as const) {
    for (const key of keys) if (publicKeyType(key) !== 'user') throw new CliError('CLI_BAD_ARGUMENT', `${option}: ${key} is not a user public key (U…); make one with badger keys gen user`);
  }
  return options.memberUser.length + options.operatorUser.length > 0 ? { lattice: checkLatticeName(options.lattice), members: options.memberUser, operators: options.operatorUser, operatorServices: operatorServices() } : undefined;
}

/** The named services of the built-in providers (a display's snapshot): operators may ask them. */
function operatorServices(): string[] {
  return [...new Set(BUILT_IN_PROVIDERS.flatMap((kind) => Object.keys(kind.services ?? {})))];
}
