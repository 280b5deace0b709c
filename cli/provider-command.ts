import { Command } from 'commander';
import { generateKeyPair } from '../claims/index.ts';
import type { Provider } from '../host/index.ts';
import { checkLatticeName, connectLattice, isLocked, LatticeBus, latticeHttpHost, serveStandaloneProvider } from '../host/lattice/index.ts';
import { httpServerProvider } from '../providers/http-server/index.ts';
import { keyValueProvider } from '../providers/keyvalue/index.ts';
import { frameAsJson, oledDisplayProvider } from '../providers/oled-display/index.ts';
import { CliError } from './errors.ts';
import { connectionAuth, isLoopbackUrl, membershipFrom, unlockedWarning, withCredentialOptions, withTrustOptions, type CredentialOptions, type TrustOptions } from './lattice-options.ts';
import { note } from './output.ts';
import { defaultLattice, defaultNats } from './config-file.ts';

/** A provider to serve, and the events of its own it publishes once it is on the lattice. */
interface StandaloneKind {
  readonly provider: Provider;
  readonly publishing?: (publish: (type: string, data: unknown) => void) => void;
}

/** Providers that can serve a lattice from a process of their own. */
const STANDALONE: Record<string, (id: string, bus: LatticeBus) => StandaloneKind> = {
  keyvalue: (id) => ({ provider: keyValueProvider({ id }) }),
  // Its actors run on hosts elsewhere: it listens here and forwards each request to them.
  'http-server': (id, bus) => {
    const server = httpServerProvider({ id });
    server.attach?.(latticeHttpHost(bus, (actor, reason) => note(`a request to ${actor} failed: ${reason}`)));
    return { provider: server };
  },
  'oled-display': (id) => {
    const display = oledDisplayProvider({ id });
    return { provider: display, publishing: (publish) => display.onFrame((frame) => publish('oled_frame', frameAsJson(display.id, frame))) };
  },
};

export function providerCommand(): Command {
  const provider = new Command('provider').description('capability providers outside a host');
  withTrustOptions(withCredentialOptions(provider.command('run')))
    .description('serve a built-in provider to a lattice from this process, until Ctrl-C (how the OLED provider runs on a Pi)')
    .argument('<kind>', `one of: ${Object.keys(STANDALONE).join(', ')}`)
    .requiredOption('--nats <url>', 'a NATS server of the lattice (nats://host:4222); default: nats in ~/.badger/config.yaml', defaultNats())
    .option('--lattice <name>', 'the lattice', defaultLattice())
    .option('--id <id>', 'the id links name as their target (default: the kind)')
    .option('--json', 'print a JSON line once it serves: its id, key and lattice')
    .action(async (kind: string, options: { nats: string; lattice: string; id?: string; json?: boolean } & CredentialOptions & TrustOptions) => {
      const make = STANDALONE[kind];
      if (!make) throw new CliError('CLI_BAD_ARGUMENT', `no provider of kind ${kind}; one of: ${Object.keys(STANDALONE).join(', ')}`);
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
      const { provider: served, publishing } = make(id, bus);
      const standalone = await serveStandaloneProvider({
        bus,
        provider: served,
        key,
        onLinkRefused: (link, reason) => note(`cannot take the link from ${link.source} (${link.interface}): ${reason}`),
      });
      publishing?.(standalone.publish);
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
