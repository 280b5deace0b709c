import type { NatsConnection } from 'nats';
import { reportedHealth, type Provider } from '../provider.ts';
import { CONTROL_WIRE_VERSION, type ControlReplyEnvelope, type ProviderSummary } from './control-wire.ts';
import { DEFAULT_HEARTBEAT_MS, eventPublisher } from './lattice-host.ts';
import { serveProviderRpc } from './rpc.ts';
import { controlSubject } from './subjects.ts';

export interface StandaloneProviderOptions {
  readonly connection: NatsConnection;
  readonly lattice: string;
  readonly provider: Provider;
  /** The process's own `V…` key: the source of its events, and how inventory tells instances apart. */
  readonly key: string;
  readonly heartbeatMs?: number;
}

export interface StandaloneProvider {
  /** Publishes an event of this provider's (an OLED frame, say) on the lattice. */
  publish(type: string, data: unknown): void;
  /** Stops serving and says so on the lattice; the provider itself and the connection stay the caller's. */
  stop(): Promise<void>;
}

/**
 * Serves a provider to a lattice from a process with no host: its calls and health checks, an
 * answer to lattice-wide provider discovery (so that it shows in inventory), a heartbeat, and its
 * start and stop as events.
 */
export async function serveStandaloneProvider(options: StandaloneProviderOptions): Promise<StandaloneProvider> {
  const { connection, lattice, provider, key } = options;
  const publish = eventPublisher(connection, lattice, key);
  const summary = async (): Promise<ProviderSummary> => {
    return { id: provider.id, name: provider.name, runBy: key, standalone: true, health: await reportedHealth(provider) };
  };
  const rpc = serveProviderRpc(connection, lattice, provider);
  const discovery = connection.subscribe(controlSubject(lattice, 'ping-providers'), {
    callback: (error, message) => {
      if (error || !message.reply) return;
      void summary().then((data) => message.respond(JSON.stringify({ version: CONTROL_WIRE_VERSION, host: key, response: { ok: true, data: [data] } } satisfies ControlReplyEnvelope)));
    },
  });
  const heartbeat = setInterval(() => void summary().then((data) => publish('provider_heartbeat', data)), options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();
  publish('provider_started', { provider: provider.id, name: provider.name, key });
  await connection.flush();
  return {
    publish,
    async stop() {
      clearInterval(heartbeat);
      rpc.stop();
      discovery.unsubscribe();
      publish('provider_stopped', { provider: provider.id, name: provider.name, key });
      await connection.flush().catch(() => {});
    },
  };
}
