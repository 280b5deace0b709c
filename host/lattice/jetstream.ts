import { ErrorCode, type KV, type KvOptions, type NatsConnection, type NatsError } from 'nats';
import { LatticeError } from '../errors.ts';
import { HUB_JETSTREAM_DOMAIN } from './nats-config.ts';

// No responders on the JetStream API: this server has no JetStream, or cannot reach the hub's.
const unanswered = (error: unknown) => (error as NatsError | undefined)?.code === ErrorCode.NoResponders;

/** Why a KV bucket cannot be opened: the server, and the hub beyond its leaf link, have no JetStream. */
export class NoJetStreamError extends LatticeError {
  override name = 'NoJetStreamError';

  constructor(bucket: string, options?: ErrorOptions) {
    super('LATTICE_NO_JETSTREAM', `no JetStream answers for bucket ${bucket}: run the NATS server with -js, or use badger nats hub`, options);
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
          throw unanswered(through) ? new NoJetStreamError(bucket, { cause: through }) : through;
        });
    }
  };
  return () =>
    (opened ??= open().catch((error: unknown) => {
      opened = undefined;
      throw error;
    }));
}
