/**
 * A host process's wiring: the host, the providers it can start by kind, its control socket, and,
 * through ports its caller fills, the lattice it joins and the applications it reconciles. `badger
 * up` calls it; so can a test or a program that embeds a host, without the CLI.
 */
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { defaultSocketPath, handleControlRequest, serveLocalSocket, type ApplicationControl, type HostIdentity } from './control/index.ts';
import { HostError } from './errors.ts';
import { Host, type HostOptions } from './host.ts';
import type { Policy } from './policy.ts';
import type { ProviderDescriptor } from './provider.ts';
import type { LatticeBucketsOpener, LatticeMessagingOpener, LatticeObjectStoresOpener } from './remote-targets.ts';

/** What a daemon hands the ports it is given, once its host and control interface exist. */
export interface DaemonContext {
  readonly host: Host;
  readonly identity: HostIdentity;
  readonly logger: Logger;
  /** Runs one control request on this host, as the socket does. */
  perform(request: unknown): ReturnType<typeof handleControlRequest>;
}

/** The lattice, as a daemon sees it: where its events go, and how it leaves. */
export interface DaemonLattice {
  publish(type: string, data: unknown): void;
  leave(): Promise<void>;
}

export interface DaemonApplications {
  readonly control: ApplicationControl;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  readonly home: string;
  readonly policy: Policy;
  readonly labels?: Readonly<Record<string, string>>;
  readonly logger?: Logger;
  /** Default: the control socket under BADGER_HOME. */
  readonly socketPath?: string;
  /**
   * The provider kinds the host routes and `badger start provider <name>` starts: each gets a data
   * directory of its own under `home`, the daemon's event sink, `latticeBuckets`, `latticeObjectStores` and `latticeMessaging`.
   */
  readonly providers?: readonly ProviderDescriptor[];
  /** Shared actor threads, and how long an idle instance is kept (the Host's options). */
  readonly threads?: Pick<HostOptions, 'actorThreads' | 'idleMs'>;
  /** Pulls `oci://` and `lattice://` references for the host. */
  readonly puller?: HostOptions['puller'];
  /** How providers reach the lattice's shared buckets (a key-value store's `backend=nats`). */
  readonly latticeBuckets?: LatticeBucketsOpener;
  /** How providers reach the lattice's object stores (a blob store's `backend=nats`). */
  readonly latticeObjectStores?: LatticeObjectStoresOpener;
  /** How providers reach NATS for actors' messages (the messaging provider). */
  readonly latticeMessaging?: LatticeMessagingOpener;
  /** Joins a lattice; none leaves the host alone on this machine. */
  readonly joinLattice?: (context: DaemonContext) => Promise<DaemonLattice>;
  /** Starts the application reconciler, after the lattice is joined. */
  readonly applications?: (context: DaemonContext, lattice: DaemonLattice | undefined) => DaemonApplications;
}

export interface Daemon {
  readonly host: Host;
  readonly socketPath: string;
  readonly lattice: DaemonLattice | undefined;
  /** Marks the daemon ready (after any setup of the caller's, such as the demo's actors). */
  markReady(): void;
  /** Resolves when a `shutdown` control request asks the daemon to stop. */
  readonly shutdownRequested: Promise<void>;
  /** Stops taking requests, leaves the lattice, stops the reconciler and drains the actors. */
  stop(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const logger = options.logger ?? pino({ name: 'badger-host' });
  let lattice: DaemonLattice | undefined;
  const publish = (type: string, data: unknown) => lattice?.publish(type, data);
  const host = new Host({ cacheDir: join(options.home, 'cache', 'transpiled'), policy: options.policy, logger, onEvent: publish, providers: options.providers ?? [], ...options.threads, ...(options.puller ? { puller: options.puller } : {}) });
  let ready = false;
  let requestShutdown!: () => void;
  const shutdownRequested = new Promise<void>((resolve) => (requestShutdown = resolve));
  let applications: DaemonApplications | undefined;
  const apps = () => {
    if (!applications) throw new HostError('HOST_NOT_RUNNING', options.applications ? 'the host is still starting: try again in a moment' : 'this host keeps no applications');
    return applications.control;
  };
  const identity: HostIdentity = {
    ready: () => ready,
    apps: { deploy: (manifest) => apps().deploy(manifest), undeploy: (name) => apps().undeploy(name), list: () => apps().list(), status: (name) => apps().status(name) },
    labels: options.labels ?? {},
    startedAt: new Date().toISOString(),
    onShutdown: () => requestShutdown(),
    providerContext: (kind, id) => ({
      ...(id === undefined ? {} : { id }),
      dataDir: join(options.home, kind.name),
      publish,
      ...(options.latticeBuckets ? { latticeBuckets: options.latticeBuckets } : {}),
      ...(options.latticeObjectStores ? { latticeObjectStores: options.latticeObjectStores } : {}),
      ...(options.latticeMessaging ? { latticeMessaging: options.latticeMessaging } : {}),
    }),
  };
  const context: DaemonContext = { host, identity, logger, perform: (request) => handleControlRequest(host, identity, request) };
  const socketPath = options.socketPath ?? defaultSocketPath();
  const server = await serveLocalSocket(socketPath, context.perform);
  try {
    lattice = await options.joinLattice?.(context);
    applications = options.applications?.(context, lattice);
  } catch (error) {
    // A reconciler that cannot start leaves nothing behind: the lattice is left as well.
    server.close();
    await lattice?.leave();
    await host.shutdown();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    host,
    socketPath,
    lattice,
    markReady: () => void (ready = true),
    shutdownRequested,
    stop: () =>
      (stopping ??= (async () => {
        // Stops accepting; a client still connected keeps its connection until it hangs up.
        server.close();
        await applications?.stop();
        await lattice?.leave();
        await host.shutdown();
      })()),
  };
}
