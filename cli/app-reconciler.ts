import { join } from 'node:path';
import type { Logger } from 'pino';
import { appOperations, fileAppStore, natsAppStore, natsLeaderLease, startReconciler, type AppOperations } from '../apps/index.ts';
import { handleControlRequest, type Host, type HostIdentity } from '../host/index.ts';
import { discoverHosts, requestLattice, summarizeHost, type HostSummary, type LatticeMembership } from '../host/lattice/index.ts';

/** What a host says of itself on the lattice, fixed at start. */
export interface HostSelf {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly version: string;
  readonly startedAt: Date;
}

/** The host as pings and heartbeats describe it; `server`: the NATS server its connection is on now. */
export function describeSelf(host: Host, self: HostSelf, lattice: string, server?: () => string | undefined): HostSummary {
  return summarizeHost(self.id, lattice, self.labels, self.version, self.startedAt, host.inventory(), new Date(), server?.());
}

/** How long a reconciler's lead lasts unrenewed: a dead leader's successor takes over within it. */
export const LEADER_LEASE_MS = 6000;

/**
 * The application reconciler of a host. On a lattice, deployed applications live in a NATS KV
 * bucket and the host holding the lease acts for everyone; alone, they live under
 * `~/.badger/apps` and this host is the whole lattice.
 */
export function startAppReconciler(options: {
  host: Host;
  identity: HostIdentity;
  self: HostSelf;
  lattice: string;
  home: string;
  membership: LatticeMembership | undefined;
  /** The copies the lattice's application store and lease are made in (as they are when undefined). */
  replicas?: number | undefined;
  logger: Logger;
}): { operations: AppOperations; stop(): Promise<void> } {
  // On a locked lattice its requests are stamped as the host's own, which the lattice's members trust.
  const { host, identity, self, lattice, membership, logger } = options;
  const copies = options.replicas === undefined ? {} : { replicas: options.replicas };
  const store = membership ? natsAppStore(membership.connection, lattice, copies) : fileAppStore(join(options.home, 'apps'));
  const lease = membership ? natsLeaderLease(membership.connection, lattice, self.id, LEADER_LEASE_MS, copies) : undefined;
  const log = logger.child({ component: 'reconciler' });
  const reconciler = startReconciler({
    store,
    observe: async () => ({
      hosts: membership ? await discoverHosts(membership.bus, 500) : [describeSelf(host, self, lattice)],
      links: host.links.query(),
    }),
    perform: (target, request) =>
      !membership || target === self.id ? handleControlRequest(host, identity, request) : requestLattice(membership.bus, request, { hostId: target, timeoutMs: 60_000 }),
    actorIdOf: (location) => host.actorIdOf(location),
    leader: () => (lease ? lease.held() : Promise.resolve(true)),
    now: () => new Date(),
    warn: (message) => log.warn(message),
  });
  return { operations: appOperations(store, reconciler.wake), stop: () => reconciler.stop() };
}
