import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { generateKeyPair, publicKeyType, type KeyPair, type PublicKey } from '../claims/index.ts';
import { ArtifactPuller, badgerHome, DEFAULT_MAX_ARTIFACT_BYTES, defaultPolicy, type LatticeArtifacts, ensureBadgerHome, LOG_LEVELS, defaultSocketPath, loadPolicyFile, requestLocalHost, startDaemon, type DaemonContext, type Policy } from '../host/index.ts';
import { checkLatticeName, isLocked, joinLattice, LatticeError, latticeArtifactStore, leafConfig, natsServers, openLatticeBuckets, openLatticeMessaging, openLatticeObjectStores, runNatsServer, type LatticeCredentials, type LatticeMembership, type NatsProcess } from '../host/lattice/index.ts';
import { prepareAppState } from '../apps/index.ts';
import { packageVersion } from '../toolchain/index.ts';
import { BUILT_IN_PROVIDERS, providerModules } from './provider-kinds.ts';
import { CliError } from './errors.ts';
import { credentialsFrom, isLoopbackUrl, membershipFrom, unlockedWarning, withCredentialOptions, withTrustOptions, type TrustOptions } from './lattice-options.ts';
import { collect, keyValuePairs, logLevel, logSize, portNumber, positive, replicaCount } from './options.ts';
import { defaultKeyDirectory, readSeedFile, storedOrNewKey } from './key-store.ts';
import { runDemo } from './demo-actors.ts';
import { DEFAULT_LOG_MAX_SIZE, hostLog, humanLogLine, KEPT_LOG_FILES, logDestination, type HostLog } from './log-lines.ts';
import { describeSelf, LEADER_LEASE_MS, startAppReconciler, type HostSelf } from './app-reconciler.ts';
import { emit, note } from './output.ts';
import { defaultLattice, defaultNats } from './config-file.ts';
import { askHost } from './host-client.ts';
import { withProgress } from './progress.ts';

interface UpOptions extends TrustOptions {
  policy?: string;
  trust: string[];
  label: string[];
  providerModule: string[];
  insecureRegistry: string[];
  logLevel: string;
  logMaxSize: string;
  actorThreads?: string;
  idleMs: string;
  detached?: boolean;
  detachedChild?: boolean;
  demo?: boolean;
  nats?: string;
  leafRemote?: string;
  leafPort?: string;
  lattice: string;
  replicas?: string;
  creds?: string;
  nkeySeed?: string;
  json?: boolean;
}

export function upCommand(): Command {
  return withTrustOptions(withCredentialOptions(new Command('up')))
    .description('start a host on this machine, controlled through ~/.badger/host.sock')
    .option('--policy <file>', 'a YAML or JSON policy (default: signed only, by the keys under ~/.badger/keys and --trust)')
    .option('--trust <account-key>', 'also trust components signed by this account (repeatable)', collect, [])
    .option('--label <key=value>', 'a label for this host (repeatable)', collect, [])
    .option('--provider-module <path>', 'also register the provider kind this module exports as `descriptor` (a provider of your own: docs/providers.md; repeatable)', collect, [])
    .option('--insecure-registry <host:port>', 'pull oci:// references from this registry over plain HTTP although it is not on loopback (repeatable)', collect, [])
    .option('--log-level <level>', `the least severe log line kept, the host's and its actors': ${LOG_LEVELS.join(', ')}`, 'info')
    .option('--log-max-size <size>', `rotate ~/.badger/host.log when it reaches this size (such as 500K, 10M, 1G), keeping ${KEPT_LOG_FILES} older files`, DEFAULT_LOG_MAX_SIZE)
    .option('--actor-threads <n>', 'shared threads that run the actors, each many of them (default: one per core)')
    .option('--idle-ms <ms>', "drop an actor's instance unused this long; the next call makes a new one (scale to zero)", '60000')
    .option('--detached', 'run in the background; logs go to ~/.badger/host.log')
    // What `up --detached` starts: no terminal, so its log and its notes go to host.log only.
    .addOption(new Option('--detached-child').hideHelp())
    .option('--demo', 'also start the example actors with built-in providers, and print what to try')
    .option('--nats <url>', 'join a lattice on this NATS server (nats://host:4222): other hosts and `badger get hosts` see this one; default: nats in ~/.badger/config.yaml', defaultNats())
    .option('--leaf-remote <url>', "start a local nats-server as a leaf node of this hub (nats-leaf://hub:7422; a cluster's members with commas, any of which it moves to) and join the lattice through it")
    .option('--leaf-port <port>', 'the client port of that local nats-server', '4222')
    .option('--lattice <name>', 'the lattice to join', defaultLattice())
    .option('--replicas <n>', "the copies, 1 to 5 (a cluster's servers), the lattice's application store and reconciler lease are kept in when this host makes them; a store with another count is refused")
    .option('--json', 'print JSON once the host is up: its control socket (with --detached, its pid and log too)')
    .addHelpText('after', "\nThe host runs on jemalloc when libjemalloc2 is installed, which returns the memory it frees; BADGER_ALLOCATOR=system keeps the C library's malloc.")
    .action(async (options: UpOptions) => {
      // Checked here too, so that a bad module is named on the terminal rather than in a detached host's log.
      await providerModules(options.providerModule);
      logLevel(options.logLevel, '--log-level');
      logSize(options.logMaxSize, '--log-max-size');
      actorThreads(options);
      if (options.replicas !== undefined) replicaCount(options.replicas, '--replicas');
      if (options.detached) return startDetached(options.json);
      await runHost(options);
    });
}

/** How long `down` waits for the host's process to end once it drains. */
const DOWN_WAIT_MS = 30_000;

export function downCommand(): Command {
  return new Command('down')
    .description('stop the running host: its actors drain, and this waits until its process has ended')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { pid } = (await askHost({ op: 'shutdown' })) as { pid?: unknown };
      // Signal 0 to 0 or a negative number would ask after a whole process group: only a real pid is waited for.
      if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) throw new CliError('CLI_HOST_STILL_RUNNING', `the host is stopping, but named no process to wait for (${JSON.stringify(pid)})`);
      if (!(await processEnded(pid, DOWN_WAIT_MS))) {
        throw new CliError(
          'CLI_HOST_STILL_RUNNING',
          `the host (pid ${pid}) is still draining after ${DOWN_WAIT_MS / 1000} s: its log (${join(badgerHome(), 'host.log')}) says what it waits for, and \`kill ${pid}\` stops it without waiting`,
        );
      }
      emit(options.json, { stopped: true, pid }, `host stopped (pid ${pid})`);
    });
}

/** Whether the process is gone within `withinMs` (one that exists but is not ours counts as running). */
async function processEnded(pid: number, withinMs: number): Promise<boolean> {
  for (const until = Date.now() + withinMs; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 50))) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    }
  }
  return false;
}

async function runHost(options: UpOptions): Promise<void> {
  const home = ensureBadgerHome();
  const log = hostLog({
    name: 'badger-host',
    level: logLevel(options.logLevel, '--log-level'),
    logFile: join(home, 'host.log'),
    maxSize: logSize(options.logMaxSize, '--log-max-size'),
    verbose: process.argv.includes('--verbose'),
    destination: logDestination({ detached: options.detachedChild === true, json: options.json === true, terminal: process.stdout.isTTY === true }),
    note,
  });
  try {
    await runHostWith(options, home, log);
  } finally {
    await log.close();
  }
}

async function runHostWith(options: UpOptions, home: string, log: HostLog): Promise<void> {
  const { note } = log;
  const labels = keyValuePairs(options.label, '--label');
  const replicas = options.replicas === undefined ? undefined : replicaCount(options.replicas, '--replicas');
  // badger build, dev and the demo sign with the local issuer key: made now, before the policy is
  // read, the host trusts what they build even when it started first.
  await storedOrNewKey(defaultKeyDirectory(), 'issuer_account.nk', 'account');
  const policy = await hostPolicy(options);
  // The laptop-and-Pi topology: a local leaf server keeps this host's lattice traffic on the machine
  // and carries the rest to the hub. With a local leaf, the credentials are the leaf's to the hub;
  // otherwise the host's own.
  const leaf = options.leafRemote ? await startLeaf(options.leafRemote, options.leafPort ?? '4222', options.creds, note) : undefined;
  const credentials = leaf ? undefined : await credentialsFrom(options);
  const servers = leaf?.url ?? options.nats;
  // A clusterSeed from the config file waits for a lattice; these flags make no sense without one.
  if (!servers && (options.ctlAllow.length > 0 || options.clusterIssuer.length > 0)) {
    await leaf?.stop();
    throw new CliError('CLI_BAD_ARGUMENT', '--ctl-allow and --cluster-issuer lock a lattice: give --nats or --leaf-remote too');
  }
  // The host's key lives as long as the process: it stamps everything the host says on a locked lattice.
  const hostKey = generateKeyPair('host');
  const self: HostSelf = {
    id: hostKey.publicKey,
    labels,
    version: packageVersion(),
    startedAt: new Date(),
  };
  const lattice = checkLatticeName(options.lattice);
  let membership: LatticeMembership | undefined;
  let latticeStore: LatticeArtifacts | undefined;
  const daemon = await startDaemon({
    home,
    policy,
    labels,
    logger: log.logger,
    providers: [...BUILT_IN_PROVIDERS, ...(await providerModules(options.providerModule))],
    threads: actorThreads(options),
    puller: new ArtifactPuller({
      home,
      maxBytes: DEFAULT_MAX_ARTIFACT_BYTES,
      insecureRegistries: options.insecureRegistry,
      // lattice:// references come from the store of the lattice this host joined, through its own connection.
      latticeArtifacts: () => (membership ? (latticeStore ??= latticeArtifactStore(membership.connection, lattice, servers)) : undefined),
    }),
    latticeBuckets: openLatticeBuckets,
    latticeObjectStores: openLatticeObjectStores,
    // Actors' messages go over the lattice's own servers, as the host joined them, unless a link names a server.
    latticeMessaging: (url) => {
      if (url !== undefined) return openLatticeMessaging(url);
      if (servers) return openLatticeMessaging(servers, credentials);
      return Promise.reject(new LatticeError('LATTICE_UNAVAILABLE', 'this host is in no lattice: start it with --nats or --leaf-remote, or give the link a NATS server (url=nats://…)'));
    },
    ...(servers
      ? {
          joinLattice: async (context: DaemonContext) => {
            membership = await joinAs(context, self, hostKey, servers, lattice, options, credentials, note);
            if (replicas !== undefined) {
              await prepareAppState(membership.connection, lattice, LEADER_LEASE_MS, { replicas }).catch(async (error: unknown) => {
                await membership?.leave();
                throw error;
              });
            }
            return membership;
          },
        }
      : {}),
    applications: (context) => {
      const reconciler = startAppReconciler({ host: context.host, identity: context.identity, self, lattice, home, membership, replicas, logger: context.logger });
      return { control: reconciler.operations, stop: () => reconciler.stop() };
    },
  }).catch(async (error: unknown) => {
    await leaf?.stop();
    throw error;
  });
  note(`badger host up: control socket ${daemon.socketPath}; stop it with "badger down" or Ctrl-C`);
  let onSignal!: () => void;
  const interrupted = new Promise<void>((resolve) => (onSignal = resolve));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (options.demo) {
    try {
      note(await withProgress('the demo is building and starting its actors', () => runDemo(daemon.host, note)));
    } catch (error) {
      await daemon.stop();
      await leaf?.stop();
      throw error;
    }
  }
  daemon.markReady();
  if (options.json) process.stdout.write(`${JSON.stringify({ ready: true, socket: daemon.socketPath, ...(membership ? { host: self.id, lattice } : {}) })}\n`);
  await Promise.race([daemon.shutdownRequested, interrupted]);
  // Asked by `badger down`, the listeners are still there and would swallow a signal; from now on
  // one ends the host at once, so that a drain that never ends needs no kill -9.
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      note(`badger host: ${signal} while draining; stopping now, without waiting for the actors`);
      process.exit(1);
    });
  }
  note('badger host stopping: draining actors');
  await daemon.stop();
  await leaf?.stop();
  await log.close();
  process.exit(0);
}

async function startLeaf(remote: string, portText: string, hubCreds: string | undefined, note: (line: string) => void): Promise<NatsProcess> {
  const port = portNumber(portText, '--leaf-port');
  const remoteUrls = natsServers(remote);
  if (remoteUrls.length === 0) throw new CliError('CLI_BAD_ARGUMENT', '--leaf-remote: give the hub\'s leaf node URL, such as nats-leaf://hub.local:7422');
  for (const url of remoteUrls) {
    if (!/^nats-leaf:\/\/|^nats:\/\/|^tls:\/\//.test(url)) throw new CliError('CLI_BAD_ARGUMENT', `--leaf-remote: "${url}" is not a URL such as nats-leaf://hub.local:7422`);
  }
  const leaf = await runNatsServer(leafConfig({ host: '127.0.0.1', port, remoteUrls, ...(hubCreds ? { credentials: hubCreds } : {}) }), '127.0.0.1', port);
  note(`started a nats-server leaf node on 127.0.0.1:${port}, joined to ${remoteUrls.length === 1 ? remoteUrls[0] : `any of ${remoteUrls.join(', ')}`}`);
  return leaf;
}

/** Joins the lattice with a fresh host key (`N…`), as a wasmCloud host does at each start. */
async function joinAs(
  { host, perform, logger }: DaemonContext,
  self: HostSelf,
  hostKey: KeyPair,
  servers: string,
  lattice: string,
  trustOptions: UpOptions,
  credentials: LatticeCredentials | undefined,
  note: (line: string) => void,
): Promise<LatticeMembership> {
  const { id } = self;
  const { trust, voucher, notes } = await membershipFrom(trustOptions, hostKey, lattice);
  for (const line of notes) note(line);
  const locked = isLocked(trust);
  // The leaf started for this host is on loopback: what matters then is the hub it joins.
  if (!locked && !isLoopbackUrl(trustOptions.leafRemote ?? servers)) note(unlockedWarning(trustOptions.leafRemote ?? servers));
  const refusals = logger.child({ component: 'lattice' });
  // Set once joined: heartbeats and pings then say which of the servers the host is on.
  let joined: LatticeMembership | undefined;
  const membership = await joinLattice({
    servers,
    lattice,
    hostKey,
    trust,
    ...(voucher ? { voucher } : {}),
    onRefused: (subject, reason) => refusals.warn({ subject, reason }, 'a lattice message was refused'),
    perform,
    describe: () => describeSelf(host, self, lattice, () => joined?.connection.getServer()),
    describeProviders: async () => {
      const health = await host.providerHealth();
      return host.inventory().providers.map(({ id: providerId, name }) => ({ id: providerId, name, runBy: id, standalone: false, health: health[providerId]! }));
    },
    ...(credentials ? { credentials } : {}),
    links: { adopt: (link) => host.adoptLink(link), drop: (source, iface, name) => host.dropLink(source, iface, name) },
  }).catch((error: Error) => {
    throw new LatticeError('LATTICE_UNAVAILABLE', `cannot join lattice ${lattice} on ${servers}: ${error.message}`);
  });
  joined = membership;
  host.attachLattice(membership.bus);
  note(`joined lattice ${lattice} on ${servers} as host ${id}${locked ? ' (locked)' : ''}`);
  return membership;
}

/** The given policy file, or: signed only, by the local account keys and the --trust keys. */
async function hostPolicy(options: UpOptions): Promise<Policy> {
  if (options.policy) return loadPolicyFile(options.policy);
  const trusted = new Set<PublicKey>();
  for (const key of options.trust) {
    if (publicKeyType(key) !== 'account') throw new CliError('CLI_BAD_ARGUMENT', `--trust: ${key} is not an account public key (A…)`);
    trusted.add(key as PublicKey);
  }
  const directory = defaultKeyDirectory();
  for (const file of await readdir(directory).catch(() => [] as string[])) {
    if (!file.endsWith('.nk')) continue;
    const pair = await readSeedFile(join(directory, file)).catch(() => undefined);
    if (pair?.type === 'account') trusted.add(pair.publicKey);
  }
  return defaultPolicy([...trusted]);
}

/** How long `up --detached` waits for a host that is still starting (building, say). */
const DETACHED_START_LIMIT_MS = 20 * 60_000;

/** The complete lines a file gains after `offset`, a read at a time. */
class LogFollower {
  #offset: number;
  #partial = '';
  readonly #path: string;

  constructor(path: string, offset: number) {
    this.#path = path;
    this.#offset = offset;
  }

  async newLines(): Promise<string[]> {
    const file = await open(this.#path).catch(() => undefined);
    if (!file) return [];
    try {
      const { size } = await file.stat();
      // Smaller than what was read: it rotated, and host.log is a new file.
      if (size < this.#offset) [this.#offset, this.#partial] = [0, ''];
      const bytes = Buffer.alloc(size - this.#offset);
      await file.read(bytes, 0, bytes.length, this.#offset);
      this.#offset = size;
      const lines = (this.#partial + bytes.toString('utf8')).split('\n');
      this.#partial = lines.pop() ?? '';
      return lines.filter((line) => line.trim() !== '');
    } finally {
      await file.close();
    }
  }
}

/**
 * Starts `badger up` without --detached in the background and waits until it answers, showing what
 * it says for people (a demo's builds and URLs) as it comes. It waits as long as the host lives: a
 * first demo start builds five actors. The host writes its own log, so that the log can rotate; what
 * it prints besides (a crash) goes to host.out.
 */
async function startDetached(json: boolean | undefined): Promise<void> {
  const bin = fileURLToPath(new URL('../bin/badger.js', import.meta.url));
  // The background host's own JSON line would go to its log: this process prints the answer.
  const args = [...process.argv.slice(2).filter((arg) => arg !== '--detached' && arg !== '--json'), '--detached-child'];
  const home = ensureBadgerHome();
  const logPath = join(home, 'host.log');
  const outPath = join(home, 'host.out');
  const out = openSync(outPath, 'w', 0o600);
  const progress = new LogFollower(logPath, (await stat(logPath).catch(() => undefined))?.size ?? 0);
  const child = spawn(process.execPath, [bin, ...args], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  const showProgress = async () => {
    for (const line of await progress.newLines()) {
      const human = json ? undefined : humanLogLine(line, false);
      if (human !== undefined) note(human);
    }
  };
  const ready = async () => {
    const ping = await requestLocalHost(defaultSocketPath(), { op: 'ping' }).catch(() => undefined);
    return ping?.ok === true && (ping.data as { ready?: boolean }).ready === true;
  };
  for (let waited = 0; waited < DETACHED_START_LIMIT_MS && !(await ready()); waited += 200) {
    await showProgress();
    if (child.exitCode !== null) {
      const said = (await readFile(outPath, 'utf8').catch(() => '')).trim();
      throw new Error(`the host did not start${said ? `: ${said.split('\n').slice(-5).join('\n')}` : ''}; see ${logPath}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await showProgress();
  if (!(await ready())) throw new Error(`the host did not start within ${DETACHED_START_LIMIT_MS / 60_000} minutes; see ${logPath}`);
  note(`badger host running in the background (pid ${child.pid}); logs: ${logPath}; stop it with "badger down"`);
  if (json) emit(true, { pid: child.pid, log: logPath, socket: defaultSocketPath() }, '');
}

function actorThreads(options: UpOptions): { actorThreads?: number; idleMs: number } {
  return {
    ...(options.actorThreads === undefined ? {} : { actorThreads: positive(options.actorThreads, '--actor-threads') }),
    idleMs: positive(options.idleMs, '--idle-ms'),
  };
}
