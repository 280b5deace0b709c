import { join } from 'node:path';
import { Command } from 'commander';
import { destination, pino } from 'pino';
import { generateKeyPair } from '../claims/index.ts';
import { badgerHome, type ProviderKind } from '../host/index.ts';
import { checkLatticeName, connectLattice, isLocked, LatticeBus, latticeProviderHost, openLatticeBuckets, openLatticeMessaging, openLatticeObjectStores, serveStandaloneProvider } from '../host/lattice/index.ts';
import { BUILT_IN_PROVIDERS } from './provider-kinds.ts';
import { CliError } from './errors.ts';
import { askHost } from './host-client.ts';
import { table } from './table.ts';
import { connectionAuth, credentialsFrom, isLoopbackUrl, membershipFrom, unlockedWarning, withCredentialOptions, withTrustOptions, type CredentialOptions, type TrustOptions } from './lattice-options.ts';
import { emit, note } from './output.ts';
import { defaultLattice, defaultNats } from './config-file.ts';

export function providerCommand(): Command {
  const provider = new Command('provider').description('provider kinds, and providers outside a host');
  provider
    .command('kinds')
    .description('the provider kinds the host on this machine can start: what each serves, its link config and its services')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const kinds = await askHost({ op: 'provider-kinds' });
      emit(options.json, kinds, kinds.map(describeKind).join('\n\n'));
    });
  withTrustOptions(withCredentialOptions(provider.command('run')))
    .description('serve a built-in provider to a lattice from this process, until Ctrl-C (how the OLED provider runs on a Pi)')
    .argument('<kind>', `one of: ${BUILT_IN_PROVIDERS.map((kind) => kind.name).join(', ')}`)
    .requiredOption('--nats <url>', 'a NATS server of the lattice (nats://host:4222); default: nats in ~/.badger/config.yaml', defaultNats())
    .option('--lattice <name>', 'the lattice', defaultLattice())
    .option('--id <id>', 'the id links name as their target (default: the kind)')
    .option('--json', 'print a JSON line once it serves: its id, key and lattice')
    .action(async (kind: string, options: { nats: string; lattice: string; id?: string; json?: boolean } & CredentialOptions & TrustOptions) => {
      const descriptor = BUILT_IN_PROVIDERS.find((known) => known.name === kind);
      if (!descriptor) throw new CliError('CLI_BAD_ARGUMENT', `no provider of kind ${kind}; one of: ${BUILT_IN_PROVIDERS.map((known) => known.name).join(', ')}`);
      if (descriptor.onlyBesideItsActors) throw new CliError('CLI_BAD_ARGUMENT', `${kind} does not run standalone: ${descriptor.onlyBesideItsActors}`);
      checkLatticeName(options.lattice);
      const id = options.id ?? kind;
      // Its own V… key: the source of its events, and its name in inventory.
      const providerKey = generateKeyPair('provider');
      const key = providerKey.publicKey;
      const { trust, voucher, notes } = await membershipFrom(options, providerKey, options.lattice);
      for (const line of notes) note(line);
      if (!isLocked(trust) && !isLoopbackUrl(options.nats)) note(unlockedWarning(options.nats));
      const connection = await connectLattice(options.nats, { name: `badger-provider ${id} ${key}`, ...(await connectionAuth(options)) });
      const bus = new LatticeBus({
        connection,
        lattice: options.lattice,
        identity: { role: 'member', key: providerKey, ...(voucher ? { voucher } : {}) },
        trust,
        onRefused: (subject, reason) => note(`refused a message on ${subject}: ${reason}`),
      });
      // Its events (a display's frames) go out once it is on the lattice.
      let publish: ((type: string, data: unknown) => void) | undefined;
      const credentials = await credentialsFrom(options);
      const served = descriptor.create({
        id,
        dataDir: join(badgerHome(), kind),
        publish: (type, data) => publish?.(type, data),
        latticeBuckets: openLatticeBuckets,
        latticeObjectStores: openLatticeObjectStores,
        latticeMessaging: (url) => openLatticeMessaging(url ?? options.nats, url === undefined ? credentials : undefined),
      });
      // The actors of a provider that drives exports (the HTTP server, messaging) run on hosts elsewhere: it reaches them over the lattice.
      served.attach?.(latticeProviderHost(bus, pino({ name: `badger-provider ${id}` }, destination(2)), (actor, reason) => note(`a request to ${actor} failed: ${reason}`)));
      const standalone = await serveStandaloneProvider({
        bus,
        provider: served,
        key,
        onLinkRefused: (link, reason) => note(`cannot take the link from ${link.source} (${link.interface}): ${reason}`),
      });
      publish = standalone.publish;
      note(`serving provider ${served.id} (${served.name}) on lattice ${options.lattice} at ${options.nats} as ${key}; Ctrl-C stops it`);
      if (options.json) process.stdout.write(`${JSON.stringify({ id: served.id, name: served.name, key, lattice: options.lattice, nats: options.nats })}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await standalone.stop();
      bus.stop();
      await served.shutdown?.();
      await connection.drain();
      process.exit(0);
    });
  return provider;
}

/** Pure: one provider kind as `badger provider kinds` prints it. */
function describeKind(kind: ProviderKind): string {
  const interfaces = [...kind.interfaces.map((served) => `${served.name}@${served.versions}`), ...kind.drives.map((driven) => `${driven.name}@${driven.versions} (calls actors' export)`)];
  const services = Object.entries(kind.services).map(([name, meaning]) => `  service ${name}: ${meaning}`);
  return [
    `${kind.name}: ${kind.summary}`,
    `  serves ${interfaces.join(', ') || 'nothing to actors'}`,
    ...services,
    ...(kind.linkConfig.length > 0 ? ['  link config:', ...table(['key', 'default', 'meaning'], kind.linkConfig.map((key) => [key.key, key.default ?? '', key.meaning])).split('\n').map((line) => `    ${line}`)] : []),
  ].join('\n');
}
