import { packageVersion } from '../toolchain/index.ts';
import { requestLocalHost, defaultSocketPath, type ControlRequest, type HostInventory } from '../host/index.ts';
import { displaySnapshotFrom, OLED_PROVIDER_NAME, type DisplaySnapshot } from '../providers/oled-display/index.ts';
import type { DashboardSource, DashboardView } from '../dashboard/index.ts';
import { askHost } from './host-client.ts';

/** How often the dashboard of a host without a lattice looks at its panels and its inventory. */
const PANEL_POLL_MS = 250;
const INVENTORY_POLL_MS = 1000;

/**
 * The dashboard of the host on this machine, through its control socket, for a host on no lattice
 * (`npm start`): no events travel on a socket, so it looks every so often and tells the page what
 * changed, as the events a lattice would have sent.
 */
async function askSnapshot(provider: string): Promise<DisplaySnapshot> {
  return displaySnapshotFrom(await askHost({ op: 'provider-service', service: 'snapshot', provider, request: {} }));
}

export function localHostSource(): DashboardSource {
  const listeners = new Set<(event: unknown) => void>();
  const emit = (type: string, data: unknown) => {
    const event = { specversion: '1.0', type: `dev.awesome-badger.lattice.${type}`, source: 'local', time: new Date().toISOString(), data };
    for (const listener of listeners) listener(event);
  };
  const inventory = (): Promise<HostInventory> => askHost({ op: 'get-inventory' });
  const displays = (current: HostInventory) => current.providers.filter((provider) => provider.name === OLED_PROVIDER_NAME).map((provider) => provider.id);
  let lastInventory = '';
  // The first display provider is the one mirrored.
  let display: string | undefined;
  let lastPanel: string | undefined;
  const lookAtInventory = async () => {
    const current = await inventory().catch(() => undefined);
    if (!current) return;
    display = displays(current)[0];
    const seen = JSON.stringify({ actors: current.actors.map((actor) => [actor.id, actor.limits.maxInstances]), providers: current.providers.map((provider) => provider.id), links: current.links.length });
    if (seen !== lastInventory && lastInventory !== '') emit('inventory_changed', {});
    lastInventory = seen;
  };
  const lookAtPanel = async () => {
    if (!display) return;
    const snapshot = await askSnapshot(display).catch(() => undefined);
    if (!snapshot || snapshot.bits === lastPanel) return;
    lastPanel = snapshot.bits;
    emit('oled_snapshot', { provider: display, ...snapshot });
  };
  const whileWatched = (look: () => Promise<void>) => () => void (listeners.size > 0 ? look() : undefined);
  const timers = [setInterval(whileWatched(lookAtPanel), PANEL_POLL_MS), setInterval(whileWatched(lookAtInventory), INVENTORY_POLL_MS)];
  return {
    async view(): Promise<DashboardView> {
      const current = await inventory();
      return {
        lattice: null,
        hosts: [
          {
            id: 'local',
            labels: current.labels,
            // The host on this machine runs from this same install.
            version: packageVersion(),
            uptimeSeconds: Math.floor((Date.now() - Date.parse(current.startedAt)) / 1000),
            healthy: true,
            actors: current.actors.map((actor) => ({ id: actor.id, name: actor.name, maxInstances: actor.limits.maxInstances, capabilities: actor.capabilities, ...(actor.claims?.iss ? { issuer: actor.claims.iss } : {}) })),
            providers: current.providers.map((provider) => ({ id: provider.id, name: provider.name, runBy: 'local', health: provider.health ?? { healthy: true } })),
          },
        ],
        standaloneProviders: [],
        links: current.links,
        displays: displays(current),
      };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    act: (_host: string, request: ControlRequest) => requestLocalHost(defaultSocketPath(), request),
    snapshot: askSnapshot,
    async close() {
      for (const timer of timers) clearInterval(timer);
      listeners.clear();
    },
  };
}
