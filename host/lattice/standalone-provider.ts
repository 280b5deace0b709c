import { reportedHealth, type Provider } from '../provider.ts';
import { CONTROL_WIRE_VERSION, type ControlReplyEnvelope, type ProviderSummary } from './control-wire.ts';
import { linkKey, type Link } from '../links.ts';
import type { LatticeBus } from './lattice-bus.ts';
import { DEFAULT_HEARTBEAT_MS, eventPublisher, followLinks } from './lattice-host.ts';
import { serveProviderRpc } from './rpc.ts';
import { controlSubject } from './subjects.ts';

export interface StandaloneProviderOptions {
  /** The lattice as this process sees it, stamped with its own `V…` key on a locked lattice. */
  readonly bus: LatticeBus;
  readonly provider: Provider;
  /** The process's own `V…` key: the source of its events, and how inventory tells instances apart. */
  readonly key: string;
  readonly heartbeatMs?: number;
  /** Hears why a link put on the lattice could not be taken (a taken address, a bad config). */
  readonly onLinkRefused?: (link: Link, reason: string) => void;
}

export interface StandaloneProvider {
  /** Publishes an event of this provider's (an OLED frame, say) on the lattice. */
  publish(type: string, data: unknown): void;
  /** Stops serving and says so on the lattice; the provider itself and the connection stay the caller's. */
  stop(): Promise<void>;
}

/**
 * Serves a provider to a lattice from a process with no host: its calls and health checks, the
 * links that name it (from the hosts' link events), an answer to lattice-wide provider discovery
 * (so that it shows in inventory), a heartbeat, and its start and stop as events.
 */
export async function serveStandaloneProvider(options: StandaloneProviderOptions): Promise<StandaloneProvider> {
  const { bus, provider, key } = options;
  const publish = eventPublisher(bus, key);
  const summary = async (): Promise<ProviderSummary> => {
    return { id: provider.id, name: provider.name, runBy: key, standalone: true, health: await reportedHealth(provider) };
  };
  // Links to it are put on hosts: it hears of them from their events, and asks for the existing ones.
  // Each is held once the provider has taken it; a call waits for a link still being taken.
  const linked = new Map<string, Promise<Link | undefined>>();
  const rpc = serveProviderRpc(bus, provider, async (source, iface, name) => linked.get(linkKey({ source, interface: iface, name })));
  const following = await followLinks(bus, key, {
    adopt: async (link) => {
      if (link.target !== provider.id) return;
      const taking = Promise.resolve(provider.linkPut?.(link)).then(
        () => link,
        (error: unknown) => {
          options.onLinkRefused?.(link, (error as Error)?.message ?? String(error));
          linked.delete(linkKey(link));
          return undefined;
        },
      );
      linked.set(linkKey(link), taking);
      await taking;
    },
    drop: async (source, iface, name) => {
      const key = linkKey({ source, interface: iface, name });
      const link = await linked.get(key);
      if (!link) return;
      linked.delete(key);
      await provider.linkDel?.(link);
    },
  });
  const discovery = bus.subscribe(
    controlSubject(bus.lattice, 'ping-providers'),
    { target: () => '*', refusal: (reason) => JSON.stringify({ version: CONTROL_WIRE_VERSION, host: key, response: { ok: false, code: 'CONTROL_DENIED', message: reason } } satisfies ControlReplyEnvelope) },
    async (message) => {
      if (!message.expectsReply) return;
      message.respond(JSON.stringify({ version: CONTROL_WIRE_VERSION, host: key, response: { ok: true, data: [await summary()] } } satisfies ControlReplyEnvelope));
    },
  );
  const heartbeat = setInterval(() => void summary().then((data) => publish('provider_heartbeat', data)), options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();
  publish('provider_started', { provider: provider.id, name: provider.name, key });
  await bus.connection.flush();
  return {
    publish,
    async stop() {
      clearInterval(heartbeat);
      rpc.stop();
      discovery.unsubscribe();
      for (const subscription of following) subscription.unsubscribe();
      publish('provider_stopped', { provider: provider.id, name: provider.name, key });
      await bus.connection.flush().catch(() => {});
    },
  };
}
