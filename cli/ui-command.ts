import { join } from 'node:path';
import { Command } from 'commander';
import { builtPage, latticeSource, serveDashboard } from '../dashboard/index.ts';
import { badgerHome } from '../host/index.ts';
import { checkLatticeName, connectLattice } from '../host/lattice/index.ts';
import { defaultLattice, defaultNats } from './config-file.ts';
import { askHost } from './host-client.ts';
import { localHostSource } from './local-dashboard-source.ts';
import { connectionAuth, operatorBus, withCredentialOptions, type CredentialOptions } from './lattice-options.ts';
import { collect, portNumber } from './options.ts';
import { note } from './output.ts';
import { withProgress } from './progress.ts';

export function uiCommand(): Command {
  return withCredentialOptions(new Command('ui'))
    .description('serve the dashboard in the browser: hosts, actors, providers, links, live events and OLED mirrors, of a lattice or of this machine\'s host; Ctrl-C stops')
    .option('--nats <url>', 'a NATS server of the lattice (nats://host:4222); without it (and no nats in ~/.badger/config.yaml), the host on this machine', defaultNats())
    .option('--lattice <name>', 'the lattice', defaultLattice())
    .option('--port <port>', 'the port to serve on (0: any free one)', '3000')
    .option('--bind <address>', 'the address to serve on; anything but loopback needs the token', '127.0.0.1')
    .option('--token <token>', 'the token the browser must bring (made up when --bind is not loopback and none is given)')
    .option('--public-host <name>', 'a name the browser reaches the dashboard by, beyond loopback and --bind (repeatable); requests naming any other host get 421', collect, [])
    .option('--json', 'print a JSON line once it serves: its URL and token')
    .action(async (options: { nats?: string; lattice: string; port: string; bind: string; token?: string; publicHost: string[]; json?: boolean } & CredentialOptions) => {
      const lattice = checkLatticeName(options.lattice);
      const port = options.port === '0' ? 0 : portNumber(options.port, '--port');
      const pageDir = await withProgress('building the page', () => builtPage(join(badgerHome(), 'cache', 'dashboard')));
      const connection = options.nats ? await connectLattice(options.nats, { name: 'badger-ui', ...(await connectionAuth(options)) }) : undefined;
      // Without a lattice, the host on this machine must be up: say so now rather than in the page.
      if (!connection) await askHost({ op: 'ping' });
      const source = connection ? latticeSource(await operatorBus(connection, lattice)) : localHostSource();
      const dashboard = await serveDashboard({ source, pageDir, bind: options.bind, port, publicHosts: options.publicHost, ...(options.token ? { token: options.token } : {}) });
      note(`dashboard of ${connection ? `lattice ${lattice}` : 'the host on this machine'} at ${dashboard.url}${dashboard.token && !options.token ? ' (the token was made up for this run)' : ''}; Ctrl-C stops it`);
      if (options.json) process.stdout.write(`${JSON.stringify({ url: dashboard.url, token: dashboard.token ?? null, ...(connection ? { lattice } : {}) })}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await dashboard.close();
      await connection?.drain().catch(() => {});
      process.exit(0);
    });
}
