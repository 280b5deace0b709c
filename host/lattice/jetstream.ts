import { connect, ErrorCode, type KV, type KvOptions, type NatsConnection, type NatsError } from 'nats';
import { LatticeError } from '../errors.ts';
import type { LatticeBucket, LatticeBuckets } from '../remote-targets.ts';
import { HUB_JETSTREAM_DOMAIN } from './nats-config.ts';
import { natsServers, RECONNECT_FOR_EVER } from './servers.ts';

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
    const kv = await reach();
    if (options.replicas !== undefined) await checkReplicas(kv, bucket, options.replicas);
    return kv;
  };
  const reach = async () => {
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

/** Refuses a bucket that exists with another replica count than `wanted`: JetStream would use it as it is. */
async function checkReplicas(kv: KV, bucket: string, wanted: number): Promise<void> {
  const actual = (await kv.status()).streamInfo.config.num_replicas;
  if (actual !== wanted) {
    throw new LatticeError(
      'LATTICE_REPLICAS_MISMATCH',
      `bucket ${bucket} exists with ${actual} replica${actual === 1 ? '' : 's'}, not the ${wanted} asked for: change it with "nats stream edit KV_${bucket} --replicas ${wanted}", or ask for ${actual}`,
    );
  }
}

// JetStream's "wrong last sequence" (JSStreamWrongLastSequenceErrF): another writer got there first.
const WRONG_LAST_SEQUENCE = 10071;
const lostTheRace = (error: unknown) => (error as NatsError | undefined)?.api_error?.err_code === WRONG_LAST_SEQUENCE;

/**
 * The lattice's buckets at a NATS URL, on a connection of their own: the port a provider's NATS
 * backend is built on (`LatticeBuckets`), so that providers never import nats.
 */
export async function openLatticeBuckets(url: string): Promise<LatticeBuckets> {
  const connection = await connect({ servers: natsServers(url), ...RECONNECT_FOR_EVER, name: 'badger-keyvalue' });
  const views = new Map<string, () => Promise<KV>>();
  return {
    async bucket(name, options = {}) {
      const key = `${name}\u0000${options.replicas ?? ''}`;
      let view = views.get(key);
      if (!view) {
        // A host on a laptop's leaf node reaches the hub's buckets through the hub's domain.
        view = latticeKv(connection, name, options.replicas === undefined ? {} : { replicas: options.replicas });
        views.set(key, view);
      }
      return kvBucket(await view());
    },
    async close() {
      await connection.drain();
    },
  };
}

function kvBucket(kv: KV): LatticeBucket {
  return {
    async get(key) {
      const entry = await kv.get(key);
      if (!entry) return { revision: 0 };
      return entry.operation === 'PUT' ? { value: entry.value, revision: entry.revision } : { revision: entry.revision };
    },
    put: async (key, value) => void (await kv.put(key, value)),
    delete: async (key) => void (await kv.delete(key)),
    keys: async function* () {
      yield* await kv.keys();
    },
    async putIfRevision(key, value, revision) {
      try {
        // A deleted key still has a revision: update against it rather than create.
        if (revision > 0) await kv.update(key, value, revision);
        else await kv.create(key, value);
        return true;
      } catch (error) {
        if (lostTheRace(error)) return false;
        throw error;
      }
    },
  };
}
