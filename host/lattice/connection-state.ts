/**
 * Whether a lattice connection's server link is up, as its status events say, so that calls made
 * during an outage fail at once, and calls in flight when it drops fail then, rather than each
 * waiting out its timeout.
 */
import type { NatsConnection } from 'nats';

const down = new WeakSet<NatsConnection>();
const watchers = new WeakMap<NatsConnection, Set<() => void>>();

/** Starts following the connection's status; called once, by whoever made the connection. */
export function followConnectionState(connection: NatsConnection): void {
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        down.add(connection);
        for (const notify of watchers.get(connection) ?? []) notify();
      } else if (status.type === 'reconnect') down.delete(connection);
    }
  })();
}

export function isDown(connection: NatsConnection): boolean {
  return down.has(connection);
}

/** Calls `notify` when the connection's server link drops; the returned function stops watching. */
export function onDisconnect(connection: NatsConnection, notify: () => void): () => void {
  let set = watchers.get(connection);
  if (!set) watchers.set(connection, (set = new Set()));
  set.add(notify);
  return () => set.delete(notify);
}
