import { Command } from 'commander';
import type { Link } from '../host/index.ts';
import { checkLatticeName, connectLattice, DEFAULT_LATTICE, discoverHosts, type HostSummary } from '../host/lattice/index.ts';
import { askHost, controlSigner } from './host-client.ts';
import { connectionAuth, withCredentialOptions, type CredentialOptions } from './lattice-options.ts';
import { collect, keyValuePairs } from './options.ts';
import { emit } from './output.ts';

export function linkCommand(): Command {
  const link = new Command('link').description("route an actor's use of a WIT interface to a provider or actor");
  link
    .command('put')
    .description('add or replace the link for (source, interface, link name)')
    .argument('<source>', 'the actor (id or name)')
    .argument('<target>', 'a provider id or an actor id')
    .argument('<wit-interface>', 'such as wasi:keyvalue/store')
    .option('--link-name <name>', 'for several links on one interface', 'default')
    .option('--config <key=value>', 'given to the target with each call (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action(async (source: string, target: string, iface: string, options: { linkName: string; config: string[]; json?: boolean }) => {
      const put = (await askHost({ op: 'put-link', source, target, interface: iface, name: options.linkName, config: keyValuePairs(options.config, '--config') })) as Link;
      emit(options.json, put, `linked ${put.source} ${put.interface} (${put.name}) → ${put.target}`);
    });
  link
    .command('del')
    .description('remove a link')
    .argument('<source>')
    .argument('<wit-interface>')
    .option('--link-name <name>', 'which link', 'default')
    .option('--json', 'print JSON')
    .action(async (source: string, iface: string, options: { linkName: string; json?: boolean }) => {
      const removed = (await askHost({ op: 'del-link', source, interface: iface, name: options.linkName })) as Link;
      emit(options.json, removed, `removed ${removed.source} ${removed.interface} (${removed.name})`);
    });
  link
    .command('query')
    .description('list every link')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const links = (await askHost({ op: 'query-links' })) as Link[];
      emit(options.json, links, links.length ? links.map((l) => `${l.source} ${l.interface} (${l.name}) → ${l.target}`).join('\n') : 'no links');
    });
  return link;
}

export function getCommand(): Command {
  const get = new Command('get').description('read the running host');
  get.command('inventory').description('actors, providers (with health) and links').option('--json', 'print JSON').action(async (options: { json?: boolean }) => {
    const inventory = (await askHost({ op: 'get-inventory' })) as {
      labels: Record<string, string>;
      actors: { id: string; name: string; limits: { maxInstances: number }; capabilities: string[] }[];
      providers: { id: string; name: string; health?: { healthy: boolean; message?: string } }[];
      links: Link[];
    };
    const lines = [
      `labels: ${Object.entries(inventory.labels).map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}`,
      'actors:',
      ...inventory.actors.map((a) => `  ${a.name}  ${a.id}  max ${a.limits.maxInstances}  ${a.capabilities.join(', ')}`),
      'providers:',
      ...inventory.providers.map((p) => `  ${p.id}  ${p.name}  ${p.health?.healthy === false ? `unhealthy: ${p.health.message ?? ''}` : 'healthy'}`),
      'links:',
      ...inventory.links.map((l) => `  ${l.source} ${l.interface} (${l.name}) → ${l.target}`),
    ];
    emit(options.json, inventory, lines.join('\n'));
  });
  withCredentialOptions(get.command('hosts'))
    .description('the hosts of a lattice that answer a ping: id, labels, uptime, what they run')
    .requiredOption('--nats <url>', 'a NATS server of the lattice (nats://host:4222)')
    .option('--lattice <name>', 'the lattice', DEFAULT_LATTICE)
    .option('--wait-ms <ms>', 'how long to collect answers', '1000')
    .option('--json', 'print JSON')
    .action(async (options: { nats: string; lattice: string; waitMs: string; json?: boolean } & CredentialOptions) => {
      // One attempt: a command run by hand should say at once that the server is not there.
      const connection = await connectLattice(options.nats, { reconnect: false, ...(await connectionAuth(options)) });
      try {
        const hosts = await discoverHosts(connection, checkLatticeName(options.lattice), Number(options.waitMs) || 1000, await controlSigner());
        const line = (host: HostSummary) =>
          `${host.id}  ${Object.entries(host.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-'}  up ${host.uptimeSeconds}s  ${host.actors.length} actors  ${host.providers.length} providers`;
        emit(options.json, hosts, hosts.length > 0 ? hosts.map(line).join('\n') : `no hosts on lattice ${options.lattice}`);
      } finally {
        await connection.close();
      }
    });
  get.command('claims').description('the claims of every running actor').option('--json', 'print JSON').action(async (options: { json?: boolean }) => {
    const claims = (await askHost({ op: 'get-claims' })) as { sub: string; iss: string; wascap: { name?: string; caps?: string[] } }[];
    emit(options.json, claims, claims.map((c) => `${c.wascap.name ?? c.sub}  ${c.sub}  issuer ${c.iss}  ${c.wascap.caps?.join(', ') ?? ''}`).join('\n') || 'no actors');
  });
  return get;
}
