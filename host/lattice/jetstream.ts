import type { KV, KvOptions, NatsConnection } from 'nats';
import { HUB_JETSTREAM_DOMAIN } from './nats-config.ts';

const unanswered = (error: unknown) => /503|no responders/i.test((error as Error)?.message ?? '');

/** Why a KV bucket cannot be opened: the server, and the hub beyond its leaf link, have no JetStream. */
export class NoJetStreamError extends Error {
  constructor(bucket: string) {
    super(`no JetStream answers for bucket ${bucket}: run the NATS server with -js, or use badger nats hub`);
    this.name = 'NoJetStreamError';
  }
}

/**
 * A JetStream KV bucket of the lattice: the server's own (on the hub, or on any server with
 * JetStream), or else the hub's through a leaf node, by its domain, since nats-server keeps the
 * JetStream API from crossing a leaf connection otherwise. Opened once; a failure is tried again
 * on the next use.
 */
export function latticeKv(connection: NatsConnection, bucket: string, options: Partial<KvOptions> = {}): () => Promise<KV> {
  let opened: Promise<KV> | undefined;
  const open = async () => {
    try {
      return await connection.jetstream().views.kv(bucket, { history: 1, ...options });
    } catch (error) {
      if (!unanswered(error)) throw error;
      return connection
        .jetstream({ domain: HUB_JETSTREAM_DOMAIN })
        .views.kv(bucket, { history: 1, ...options })
        .catch((through: unknown) => {
          throw unanswered(through) ? new NoJetStreamError(bucket) : through;
        });
    }
  };
  return () =>
    (opened ??= open().catch((error: unknown) => {
      opened = undefined;
      throw error;
    }));
}
