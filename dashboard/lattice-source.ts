import { BadgerError, type HostInventory } from '../host/index.ts';
import { allEventsSubject, callRemoteService, discoverHosts, discoverProviders, latticeControlClient, requestLattice, type HostSummary, type LatticeBus } from '../host/lattice/index.ts';
import { displaySnapshotFrom, OLED_PROVIDER_NAME } from '../providers/oled-display/index.ts';
import type { DashboardSource, DashboardView, HostView } from './view.ts';

/**
 * The dashboard's picture of a lattice: the hosts that answer a ping, each one's inventory (for
 * capabilities and health), the standalone providers, and the lattice-wide links.
 */
export function latticeSource(bus: LatticeBus, waitMs = 500): DashboardSource {
  const { connection, lattice } = bus;
  const listeners = new Set<(event: unknown) => void>();
  const events = connection.subscribe(allEventsSubject(lattice), {
    callback: (error, message) => {
      if (error) return;
      let event: unknown;
      try {
        event = JSON.parse(message.string());
      } catch {
        return;
      }
      for (const listener of listeners) listener(event);
    },
  });
  const inventoryOf = async (host: HostSummary): Promise<HostView & { links?: HostInventory['links'] }> => {
    const base = { id: host.id, labels: host.labels, version: host.version, uptimeSeconds: host.uptimeSeconds };
    try {
      const inventory = await latticeControlClient(bus, { hostId: host.id, timeoutMs: 3000 }).request({ op: 'get-inventory' });
      return {
        ...base,
        healthy: true,
        actors: inventory.actors.map((actor) => ({ id: actor.id, name: actor.name, maxInstances: actor.limits.maxInstances, capabilities: actor.capabilities, ...(actor.claims?.iss ? { issuer: actor.claims.iss } : {}) })),
        providers: inventory.providers.map((provider) => ({ id: provider.id, name: provider.name, runBy: host.id, health: provider.health ?? { healthy: true } })),
        links: inventory.links,
      };
    } catch (error) {
      // It answered the ping, so it is there; what it runs comes from its summary.
      return {
        ...base,
        healthy: false,
        problem: error instanceof BadgerError ? `${error.code}: ${error.message}` : (error as Error).message,
        actors: host.actors.map((actor) => ({ id: actor.id, name: actor.name, maxInstances: actor.maxInstances, capabilities: [] })),
        providers: host.providers.map((provider) => ({ ...provider, runBy: host.id, health: { healthy: false, message: 'unknown' } })),
      };
    }
  };
  return {
    async view(): Promise<DashboardView> {
      const [summaries, providers] = await Promise.all([discoverHosts(bus, waitMs), discoverProviders(bus, waitMs)]);
      const hosts = await Promise.all(summaries.map(inventoryOf));
      const standaloneProviders = providers.filter((provider) => provider.standalone);
      const displays = [...hosts.flatMap((host) => host.providers), ...standaloneProviders].filter((provider) => provider.name === OLED_PROVIDER_NAME).map((provider) => provider.id);
      return {
        lattice,
        hosts: hosts.map(({ links: _links, ...host }) => host),
        standaloneProviders,
        links: hosts.find((host) => host.links)?.links ?? [],
        displays: [...new Set(displays)].sort(),
      };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    act: (host, request) => requestLattice(bus, request, { hostId: host, timeoutMs: 60_000 }),
    snapshot: async (provider) => displaySnapshotFrom(await callRemoteService(bus, provider, 'snapshot', {}, 3000)),
    async close() {
      events.unsubscribe();
      listeners.clear();
    },
  };
}
