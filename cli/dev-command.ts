import { mkdtemp } from 'node:fs/promises';
import { watch } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { pino } from 'pino';
import type { PublicKey } from '../claims/index.ts';
import { defaultPolicy, defaultSocketPath, ensureBadgerHome, Host, inProcessControlClient, localControlClient, requestLocalHost, type ActorSummary, type ControlClient, type HostIdentity } from '../host/index.ts';
import { buildActor, loadActorProject, type ActorProject, type BuildRequest, type BuildSummary } from '../toolchain/index.ts';
import { projectKeys } from './build-command.ts';
import { devPlan, kindsToStart } from './dev-plan.ts';
import { humanLogStream } from './log-lines.ts';
import { positive } from './options.ts';
import { BUILT_IN_PROVIDERS } from './provider-kinds.ts';

/** How long the sources stay quiet before a rebuild: an editor's save is often several writes. */
const SETTLE_MS = 250;

export function devCommand(): Command {
  return new Command('dev')
    .description('build and run an actor project on the running host (none running: on a host of its own): link what it imports to development providers, serve its HTTP handler, and rebuild and swap it without a gap on every save; Ctrl-C undoes what dev started')
    .argument('[dir]', 'the actor project folder (badger.toml or badger.json)', '.')
    .option('--port <n>', 'the port its HTTP handler is served on, on 127.0.0.1 (default: a free one)')
    .action((dir: string, options: { port?: string }) => runDev(dir, options.port === undefined ? undefined : positive(options.port, '--port')));
}

const say = (line: string) => process.stderr.write(`dev: ${line}\n`);

/** The host dev works on, and how to let go of it. */
interface DevHost {
  readonly client: ControlClient;
  /** Ends an embedded host; leaves a running one running. */
  readonly close: () => Promise<void>;
}

/** What dev started on the host, and so what Ctrl-C undoes (on a running host, nothing else). */
interface Started {
  actor: string | undefined;
  readonly providers: string[];
  readonly links: { readonly source: string; readonly interface: string }[];
}

async function runDev(dir: string, port: number | undefined): Promise<void> {
  const project = await loadActorProject(dir);
  const keys = await projectKeys(project);
  const built = await timedBuild(project, keys);
  const scratch = await mkdtemp(join(tmpdir(), 'badger-dev-'));
  const { client, close } = await devHost(scratch, keys.issuer.publicKey);
  const started: Started = { actor: undefined, providers: [], links: [] };
  const kinds = await client.request({ op: 'provider-kinds' });

  /** Starts the providers and links a version's claimed capabilities need that are not there yet. */
  const linkUp = async (actor: ActorSummary, version: BuildSummary, announce: boolean) => {
    const plan = devPlan(version.capabilities, kinds);
    const running = new Set((await client.request({ op: 'get-inventory' })).providers.map((provider) => provider.id));
    for (const kind of kindsToStart(plan)) {
      if (running.has(devProviderId(kind))) continue;
      await client.request({ op: 'start-provider', kind, id: devProviderId(kind) });
      started.providers.push(devProviderId(kind));
    }
    const linked = (await client.request({ op: 'query-links' })).filter((link) => link.source === actor.id);
    const put = async (iface: string, kind: string, config?: Record<string, string>) => {
      await client.request({ op: 'put-link', source: actor.id, interface: iface, target: devProviderId(kind), ...(config ? { config } : {}) });
      started.links.push({ source: actor.id, interface: iface });
    };
    for (const link of plan.links.filter((wanted) => !linked.some((held) => held.interface === wanted.interface))) {
      await put(link.interface, link.kind);
      say(`linked ${link.interface} to the ${link.kind} provider (development settings)`);
    }
    for (const link of plan.driven) {
      const held = linked.some((existing) => existing.interface === link.interface);
      if (!held) await put(link.interface, link.kind, { address: `127.0.0.1:${port ?? (await freePort())}` });
      if (held && !announce) continue;
      const served = (await client.request({ op: 'query-links' })).find((now) => now.source === actor.id && now.interface === link.interface);
      say(`serving http://${served?.inEffect?.address ?? served?.config.address}/`);
    }
    for (const iface of plan.unserved) say(`nothing here serves ${iface}: start the actor that exports it and link it by hand (badger link put)`);
  };

  const already = (await client.request({ op: 'get-inventory' })).actors.some((actor) => actor.id === keys.subject.publicKey);
  let actor = already ? await client.request({ op: 'update-actor', location: built.output }) : await client.request({ op: 'start-actor', location: built.output });
  if (!already) started.actor = actor.id;
  await linkUp(actor, built, true);
  say(`running ${actor.name}; watching ${project.dir} for changes (Ctrl-C stops)`);

  let building = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const rebuild = async () => {
    if (building) return void (again = true);
    building = true;
    try {
      const next = await timedBuild(project, keys).catch((error: { code?: string; message: string }) => {
        say(`build failed; the last good version keeps serving:\n  error[${error.code ?? 'BUILD_FAILED'}]: ${error.message}`);
        return undefined;
      });
      if (!next || next.cached) return;
      // The new version takes over the links (the URL, the store) without a gap; requests in flight finish on the old one.
      try {
        actor = await client.request({ op: 'update-actor', location: next.output });
        await linkUp(actor, next, false);
        say(`reloaded ${actor.name}`);
      } catch (error) {
        say(`the new version does not start; the last good one keeps serving:\n  error[${(error as { code?: string }).code ?? 'HOST_INTERNAL'}]: ${(error as Error).message}`);
      }
    } finally {
      building = false;
      if (again) {
        again = false;
        void rebuild();
      }
    }
  };
  const watcher = watch(project.dir, { recursive: true }, (_event, file) => {
    if (!file || file.split('/').some((part) => part === 'build' || part === 'node_modules' || part.startsWith('.'))) return;
    clearTimeout(timer);
    timer = setTimeout(() => void rebuild(), SETTLE_MS);
  });

  // Ctrl-C undoes what dev started, and nothing else: on a running host, its links, actor and providers.
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()).once('SIGTERM', () => resolve()));
  watcher.close();
  clearTimeout(timer);
  const undo = async (request: Parameters<ControlClient['request']>[0]) => client.request(request).catch((error: Error) => say(`could not undo ${request.op}: ${error.message}`));
  for (const link of started.links) await undo({ op: 'del-link', source: link.source, interface: link.interface });
  if (started.actor) await undo({ op: 'stop-actor', actor: started.actor });
  for (const id of started.providers) await undo({ op: 'stop-provider', id });
  await close();
  say('stopped');
}

/** The providers dev starts are named for it, so that a second run on the same host finds them. */
const devProviderId = (kind: string) => `dev-${kind}`;

/** The host running on this machine, if one answers on its socket; else a host of dev's own, in this process. */
async function devHost(scratch: string, issuer: PublicKey): Promise<DevHost> {
  const socket = defaultSocketPath();
  const ping = await requestLocalHost(socket, { op: 'ping' }).catch(() => undefined);
  if (ping?.ok && (ping.data as { ready?: boolean }).ready) {
    say(`using the running host (${socket}); Ctrl-C undoes only what dev starts there`);
    return { client: localControlClient(socket), close: async () => {} };
  }
  const host = new Host({
    cacheDir: join(ensureBadgerHome(), 'cache', 'transpiled'),
    policy: defaultPolicy([issuer]),
    // What actors log, and warnings, as lines for a person; not every request.
    logger: pino({ level: 'info' }, humanLogStream(process.stderr, false)),
    providers: BUILT_IN_PROVIDERS,
  });
  const identity: HostIdentity = {
    labels: {},
    startedAt: new Date().toISOString(),
    onShutdown: () => {},
    ready: () => true,
    providerContext: (kind, id) => ({ ...(id === undefined ? {} : { id }), dataDir: join(scratch, kind.name), publish: () => {} }),
  };
  say('started a host of its own, in this process (badger up first, and dev uses that one)');
  return { client: inProcessControlClient(host, identity), close: () => host.shutdown() };
}

async function timedBuild(project: ActorProject, keys: Pick<BuildRequest, 'issuer' | 'subject'>): Promise<BuildSummary> {
  const began = performance.now();
  say(`building ${project.config.name}…`);
  const summary = await buildActor(project, keys);
  say(`built ${project.config.name} in ${((performance.now() - began) / 1000).toFixed(1)} s${summary.cached ? ' (unchanged)' : ''}`);
  return summary;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
