import { Command } from 'commander';
import { checkLatticeName, discoverHosts, discoverProviders, type HostSummary, type ProviderSummary } from '../host/lattice/index.ts';
import type { Link } from '../host/index.ts';
import { CliError } from './errors.ts';
import { askHost } from './host-client.ts';
import { onceOnLattice, withCredentialOptions, type CredentialOptions } from './lattice-options.ts';
import { keyValuePairs, positive } from './options.ts';
import { emit } from './output.ts';
import { defaultLattice, defaultNats } from './config-file.ts';
import { table } from './table.ts';
import { withProgress } from './progress.ts';

export function linkCommand(): Command {
  const link = new Command('link').description("route an actor's use of a WIT interface to a provider or actor");
  link
    .command('put')
    .description('add or replace the link for (source, interface, link name)')
    .argument('<source>', 'the actor (id or name)')
    .argument('<target>', 'a provider id, or an actor (id or name); on a host with no lattice it must be running')
    .argument('<wit-interface>', 'such as wasi:keyvalue/store, or a package (wasi:keyvalue) for each of its interfaces the actor imports, and each export of it the actor claims (wasmcloud:messaging links the handler too)')
    .option('--link-name <name>', 'for several links on one interface', 'default')
    .option('--config <key=value...>', 'given to the target with each call: one or more after --config, or --config again', [])
    .option('--json', 'print JSON (for a package, a list)')
    .action(async (source: string, target: string, iface: string, options: { linkName: string; config: string[]; json?: boolean }) => {
      const config = keyValuePairs(options.config, '--config');
      const put = (one: string) => askHost({ op: 'put-link', source, target, interface: one, name: options.linkName, config });
      const said = (made: Link) => `linked ${made.source} ${made.interface} (${made.name}) → ${made.target}`;
      if (iface.includes('/')) {
        const made = await put(iface);
        return emit(options.json, made, said(made));
      }
      // A package, as wasmCloud links one: every interface of it that the actor imports, and the
      // exports of it its claims name (a messaging handler is linked with the messaging imports).
      const actor = (await askHost({ op: 'get-inventory' })).actors.find((running) => running.id === source || running.name === source);
      if (!actor) throw new CliError('CLI_BAD_ARGUMENT', `no actor ${source} is running here: a package is linked for the interfaces a running actor imports`);
      const linkable = [...new Set([...actor.capabilities, ...(actor.claims?.wascap.caps ?? [])])];
      const interfaces = interfacesOfPackage(linkable, iface);
      if (interfaces.length === 0) throw new CliError('CLI_BAD_ARGUMENT', `${actor.name} imports nothing of ${iface}; it imports ${actor.capabilities.join(', ') || 'nothing that is linked'}`);
      const made: Link[] = [];
      for (const one of interfaces) made.push(await put(one));
      emit(options.json, made, made.map(said).join('\n'));
    });
  link
    .command('del')
    .description('remove a link')
    .argument('<source>')
    .argument('<wit-interface>')
    .option('--link-name <name>', 'which link', 'default')
    .option('--json', 'print JSON')
    .action(async (source: string, iface: string, options: { linkName: string; json?: boolean }) => {
      const removed = await askHost({ op: 'del-link', source, interface: iface, name: options.linkName });
      emit(options.json, removed, `removed ${removed.source} ${removed.interface} (${removed.name})`);
    });
  link
    .command('query')
    .description('list every link')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const links = await askHost({ op: 'query-links' });
      emit(options.json, links, section('links', ['source', 'interface', 'link', 'target', 'config'], links.map((l) => [l.source, l.interface, l.name, l.target, configText(l)])));
    });
  return link;
}

type Health = { healthy: boolean; message?: string };

/** Pure: a titled table, or a line saying there is nothing of the kind. */
const section = (title: string, header: readonly string[], rows: readonly (readonly string[])[]) => (rows.length > 0 ? table(header, rows) : `no ${title}`);

/** Pure: one health report as a listing shows it. */
const healthText = (health: Health | undefined) => (health?.healthy === false ? `unhealthy: ${health.message ?? ''}` : 'healthy');
const labelText = (labels: Readonly<Record<string, string>>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') || '-';

/** Pure: a link's config as it took effect (the address an HTTP link bound, not the port 0 it asked for). */
const configText = (link: { readonly config: Readonly<Record<string, string>>; readonly inEffect?: Readonly<Record<string, string>> }) =>
  Object.entries({ ...link.config, ...link.inEffect }).map(([key, value]) => `${key}=${value}`).join(' ') || '-';

/** Pure: an actor's name, where the host runs it, else the id (or provider id) as given. */
const nameIn = (actors: readonly { readonly id: string; readonly name: string }[]) => (id: string) => actors.find((actor) => actor.id === id)?.name ?? id;

export function getCommand(): Command {
  const get = new Command('get').description('read the running host, or the whole lattice with --nats');
  withCredentialOptions(get.command('inventory'))
    .description("this host's actors, providers and links, each with its health; with --nats, every host and provider of the lattice")
    .option('--nats <url>', 'a NATS server of the lattice (nats://host:4222): the whole lattice instead of this host')
    .option('--lattice <name>', 'the lattice, with --nats', defaultLattice())
    .option('--wait-ms <ms>', 'with --nats, how long to collect answers', '1000')
    .option('--json', 'print JSON')
    .action(async (options: { nats?: string; lattice: string; waitMs: string; json?: boolean } & CredentialOptions) => {
      if (options.nats) return latticeInventory(options.nats, checkLatticeName(options.lattice), positive(options.waitMs, '--wait-ms'), options, options.json);
      const inventory = await askHost({ op: 'get-inventory' });
      const name = nameIn(inventory.actors);
      const sections = [
        `labels: ${labelText(inventory.labels)}`,
        // What its claims grant: the interfaces it imports through links and the exports providers drive (an HTTP handler).
        section('actors', ['actor', 'id', 'max', 'capabilities'], inventory.actors.map((a) => [a.name, a.id, String(a.limits.maxInstances), (a.claims?.wascap.caps ?? a.capabilities).join(', ')])),
        section('providers', ['provider', 'name', 'health'], inventory.providers.map((p) => [p.id, p.name, healthText(p.health)])),
        section('links', ['source', 'interface', 'link', 'target', 'health', 'config'], inventory.links.map((l) => [name(l.source), l.interface, l.name, name(l.target), healthText(l.health), configText(l)])),
      ];
      emit(options.json, inventory, sections.join('\n\n'));
    });
  withCredentialOptions(get.command('hosts'))
    .description('the hosts of a lattice that answer a ping: id, labels, uptime, what they run')
    .requiredOption('--nats <url>', 'a NATS server of the lattice (nats://host:4222); default: nats in ~/.badger/config.yaml', defaultNats())
    .option('--lattice <name>', 'the lattice', defaultLattice())
    .option('--wait-ms <ms>', 'how long to collect answers', '1000')
    .option('--json', 'print JSON')
    .action(async (options: { nats: string; lattice: string; waitMs: string; json?: boolean } & CredentialOptions) => {
      const lattice = checkLatticeName(options.lattice);
      const hosts = await withProgress('asking the hosts', () =>
        onceOnLattice(options.nats, lattice, options, (bus) => discoverHosts(bus, positive(options.waitMs, '--wait-ms'))),
      );
      emit(options.json, hosts, hosts.length > 0 ? hostTable(hosts) : `no hosts on lattice ${lattice}`);
    });
  get.command('claims').description('the claims of every running actor').option('--json', 'print JSON').action(async (options: { json?: boolean }) => {
    const claims = await askHost({ op: 'get-claims' });
    emit(options.json, claims, section('actors', ['actor', 'subject', 'issuer', 'capabilities'], claims.map((c) => [c.wascap.name ?? c.sub, c.sub, c.iss, c.wascap.caps?.join(', ') ?? ''])));
  });
  return get;
}

const hostTable = (hosts: readonly HostSummary[]) =>
  table(
    ['host', 'labels', 'server', 'uptime', 'actors', 'providers'],
    hosts.map((host) => [host.id, labelText(host.labels), host.server ?? '-', `${host.uptimeSeconds}s`, host.actors.map((actor) => actor.name).join(', ') || '-', host.providers.map((provider) => provider.id).join(', ') || '-']),
  );

/** Every host and every provider (in a host or standalone) of the lattice, as they answer within `waitMs`. */
async function latticeInventory(servers: string, lattice: string, waitMs: number, credentials: CredentialOptions, json: boolean | undefined): Promise<void> {
  const { hosts, providers } = await withProgress('asking the lattice', () => onceOnLattice(servers, lattice, credentials, async (bus) => {
    const [hosts, providers] = await Promise.all([discoverHosts(bus, waitMs), discoverProviders(bus, waitMs)]);
    return { hosts, providers };
  }));
  const sections = [
    `lattice ${lattice}`,
    hosts.length > 0 ? hostTable(hosts) : 'no hosts',
    section('providers', ['provider', 'name', 'run by', 'health'], providers.map((provider: ProviderSummary) => [provider.id, provider.name, `${provider.standalone ? 'standalone' : 'host'} ${provider.runBy}`, healthText(provider.health)])),
  ];
  emit(json, { lattice, hosts, providers }, sections.join('\n\n'));
}

/** Pure: the interfaces of a package (`wasi:keyvalue`, or `wasi:keyvalue@0.2.0-draft`) among an actor's imports. */
export function interfacesOfPackage(imports: readonly string[], pkg: string): string[] {
  const name = pkg.replace(/@.*$/, '');
  return imports.filter((iface) => iface.startsWith(`${name}/`));
}
