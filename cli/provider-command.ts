import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { generateKeyPair } from '../claims/index.ts';
import type { Provider } from '../host/index.ts';
import { checkLatticeName, cloudEvent, connectLattice, DEFAULT_LATTICE, eventSubject, serveProviderRpc } from '../host/lattice/index.ts';
import { keyValueProvider } from '../providers/keyvalue/index.ts';
import { oledDisplayProvider } from '../providers/oled-display/index.ts';
import { CliError } from './errors.ts';
import { connectionAuth, withCredentialOptions, type CredentialOptions } from './lattice-options.ts';
import { note } from './output.ts';

/** Providers that can serve a lattice from a process of their own. The HTTP server cannot: it listens in its actor's threads. */
const STANDALONE: Record<string, (id: string) => Provider> = {
  keyvalue: (id) => keyValueProvider({ id }),
  'oled-display': (id) => oledDisplayProvider({ id }),
};

export function providerCommand(): Command {
  const provider = new Command('provider').description('capability providers outside a host');
  withCredentialOptions(provider.command('run'))
    .description('serve a built-in provider to a lattice from this process, until Ctrl-C (how the OLED provider runs on a Pi)')
    .argument('<kind>', `one of: ${Object.keys(STANDALONE).join(', ')}`)
    .requiredOption('--nats <url>', 'a NATS server of the lattice (nats://host:4222)')
    .option('--lattice <name>', 'the lattice', DEFAULT_LATTICE)
    .option('--id <id>', 'the id links name as their target (default: the kind)')
    .action(async (kind: string, options: { nats: string; lattice: string; id?: string } & CredentialOptions) => {
      const make = STANDALONE[kind];
      if (!make) {
        throw new CliError('CLI_BAD_ARGUMENT', kind === 'http-server' ? 'the HTTP server runs inside the host of its actors: start it there' : `no provider of kind ${kind}; one of: ${Object.keys(STANDALONE).join(', ')}`);
      }
      checkLatticeName(options.lattice);
      const served = make(options.id ?? kind);
      // Its own V… key: the source of its events.
      const key = generateKeyPair('provider').publicKey;
      const connection = await connectLattice(options.nats, { name: `badger-provider ${served.id} ${key}`, ...(await connectionAuth(options)) });
      const rpc = serveProviderRpc(connection, options.lattice, served);
      const publish = (type: string, data: unknown) =>
        connection.publish(eventSubject(options.lattice, type), JSON.stringify(cloudEvent(type, key, data, randomUUID(), new Date())));
      publish('provider_started', { provider: served.id, name: served.name, key });
      await connection.flush();
      note(`serving provider ${served.id} (${served.name}) on lattice ${options.lattice} at ${options.nats} as ${key}; Ctrl-C stops it`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      rpc.stop();
      publish('provider_stopped', { provider: served.id, key });
      await served.shutdown?.();
      await connection.drain();
      process.exit(0);
    });
  return provider;
}
