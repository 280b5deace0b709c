import { mkdtemp } from 'node:fs/promises';
import { watch } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { pino } from 'pino';
import { defaultPolicy, ensureBadgerHome, Host, type ActorSummary } from '../host/index.ts';
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
    .description('build and run an actor project on a host of its own: link what it imports to development providers, serve its HTTP handler, and rebuild and swap it on every save; Ctrl-C stops')
    .argument('[dir]', 'the actor project folder (badger.toml or badger.json)', '.')
    .option('--port <n>', 'the port its HTTP handler is served on, on 127.0.0.1 (default: a free one)')
    .action((dir: string, options: { port?: string }) => runDev(dir, options.port === undefined ? undefined : positive(options.port, '--port')));
}

const say = (line: string) => process.stderr.write(`dev: ${line}\n`);

async function runDev(dir: string, port: number | undefined): Promise<void> {
  const project = await loadActorProject(dir);
  const keys = await projectKeys(project);
  const built = await timedBuild(project, keys);
  const scratch = await mkdtemp(join(tmpdir(), 'badger-dev-'));
  const host = new Host({
    cacheDir: join(ensureBadgerHome(), 'cache', 'transpiled'),
    policy: defaultPolicy([keys.issuer.publicKey]),
    // What actors log, and warnings, as lines for a person; not every request.
    logger: pino({ level: 'info' }, humanLogStream(process.stderr, false)),
    providers: BUILT_IN_PROVIDERS,
  });
  const providerIds = new Map<string, string>();
  let actor: ActorSummary;
  let address: string | undefined;

  /** Starts the providers and links a version's capabilities need that are not there yet. */
  const linkUp = async (summary: BuildSummary) => {
    const plan = devPlan(summary.capabilities, BUILT_IN_PROVIDERS);
    for (const kindName of kindsToStart(plan).filter((name) => !providerIds.has(name))) {
      const provider = BUILT_IN_PROVIDERS.find((kind) => kind.name === kindName)!.create({ dataDir: join(scratch, kindName), publish: () => {} });
      await host.startProvider(provider);
      providerIds.set(kindName, provider.id);
    }
    const linked = new Set(host.links.query({ source: actor.id }).map((link) => link.interface));
    for (const link of plan.links.filter((wanted) => !linked.has(wanted.interface))) {
      await host.putLink({ source: actor.id, interface: link.interface, target: providerIds.get(link.kind)! });
      say(`linked ${link.interface} to the ${link.kind} provider (development settings)`);
    }
    for (const link of plan.driven.filter((wanted) => !linked.has(wanted.interface))) {
      address ??= `127.0.0.1:${port ?? (await freePort())}`;
      await host.putLink({ source: actor.id, interface: link.interface, target: providerIds.get(link.kind)!, config: { address } });
      say(`serving http://${address}/`);
    }
    for (const iface of plan.unserved) say(`nothing here serves ${iface}: start the actor that exports it and link it by hand (badger link put)`);
  };

  actor = await host.startActor(built.output);
  await linkUp(built);
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
        actor = await host.updateActor(next.output);
        await linkUp(next);
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

  // Ctrl-C stops what dev started, and nothing else: its host, its providers, its watcher.
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()).once('SIGTERM', () => resolve()));
  watcher.close();
  clearTimeout(timer);
  await host.shutdown();
  say('stopped');
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
