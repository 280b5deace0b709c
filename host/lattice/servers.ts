import type { ConnectionOptions } from 'nats';

/**
 * Pure: the servers a `--nats` value names. Several are written with commas
 * (`nats://a:4222,nats://b:4222`), as a config file's list is joined, so that any one may serve.
 */
export function natsServers(servers: string | readonly string[]): string[] {
  return (typeof servers === 'string' ? [servers] : servers).flatMap((value) => value.split(',')).map((url) => url.trim()).filter((url) => url.length > 0);
}

/** What a reconnecting connection does after a loss: try every server it knows, for ever, half a second apart. */
export const RECONNECT_FOR_EVER: Partial<ConnectionOptions> = { reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 500 };
