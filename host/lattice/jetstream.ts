import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, ErrorCode, headers, type JetStreamClient, type JetStreamPublishOptions, type KV, type KvOptions, type NatsConnection, type NatsError } from 'nats';
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

/** A KV bucket, and the JetStream that holds it: the server's own, or the hub's by `domain`. */
interface ReachedKv {
  readonly kv: KV;
  readonly js: JetStreamClient;
  readonly domain?: string;
}

/**
 * A JetStream KV bucket of the lattice: the server's own (on the hub, or on any server with
 * JetStream), or else the hub's through a leaf node, by its domain, since nats-server keeps the
 * JetStream API from crossing a leaf connection otherwise. Opened once; a failure is tried again
 * on the next use.
 */
export function latticeKv(connection: NatsConnection, bucket: string, options: Partial<KvOptions> = {}): () => Promise<KV> {
  const reached = reachKv(connection, bucket, options);
  return async () => (await reached()).kv;
}

function reachKv(connection: NatsConnection, bucket: string, options: Partial<KvOptions>): () => Promise<ReachedKv> {
  let opened: Promise<ReachedKv> | undefined;
  const open = async () => {
    const reached = await reach();
    if (options.replicas !== undefined) await checkReplicas(reached.kv, bucket, options.replicas);
    return reached;
  };
  const reach = async (): Promise<ReachedKv> => {
    const own = connection.jetstream();
    try {
      return { kv: await own.views.kv(bucket, { history: 1, ...options }), js: own };
    } catch (error) {
      if (!unanswered(error)) throw error;
      const hubs = connection.jetstream({ domain: HUB_JETSTREAM_DOMAIN });
      const kv = await hubs.views.kv(bucket, { history: 1, ...options }).catch((through: unknown) => {
        throw unanswered(through) ? new NoJetStreamError(bucket, { cause: through }) : through;
      });
      return { kv, js: hubs, domain: HUB_JETSTREAM_DOMAIN };
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

// What a server's loss looks like to a request in flight, for as long as the cluster takes to move
// the connection and elect a new stream leader: no answer, no responders, or JetStream's 503.
const PASSING = new Set<string>([ErrorCode.Timeout, ErrorCode.NoResponders, ErrorCode.Disconnect, ErrorCode.JetStream408RequestTimeout]);
const passing = (error: unknown) => PASSING.has((error as NatsError | undefined)?.code ?? '') || (error as NatsError | undefined)?.api_error?.code === 503;

/** How long a read or a write keeps trying through a server's loss before it gives up with the last error. */
const RIDE_OUT_MS = 30_000;

/** `attempt`, tried again through passing errors (backing off from 250 ms to 2 s) for up to `RIDE_OUT_MS`. */
async function rideOut<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + RIDE_OUT_MS;
  for (let wait = 250; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      return await attempt();
    } catch (error) {
      if (!passing(error) || Date.now() + wait > deadline) throw error;
      await sleep(wait);
    }
  }
}

/**
 * The lattice's buckets at a NATS URL, on a connection of their own: the port a provider's NATS
 * backend is built on (`LatticeBuckets`), so that providers never import nats.
 */
export async function openLatticeBuckets(url: string): Promise<LatticeBuckets> {
  const connection = await connect({ servers: natsServers(url), ...RECONNECT_FOR_EVER, name: 'badger-keyvalue' });
  const views = new Map<string, () => Promise<ReachedKv>>();
  return {
    async bucket(name, options = {}) {
      const key = `${name}\u0000${options.replicas ?? ''}`;
      let view = views.get(key);
      if (!view) {
        // A host on a laptop's leaf node reaches the hub's buckets through the hub's domain.
        view = reachKv(connection, name, options.replicas === undefined ? {} : { replicas: options.replicas });
        views.set(key, view);
      }
      return kvBucket(name, await view());
    },
    async close() {
      await connection.drain();
    },
  };
}

/**
 * Every write carries its own message id and is sent again, with that id, when its answer is lost:
 * if the first copy was stored, JetStream's duplicate window turns the second into an
 * acknowledgement of the first (it checks the id before the expected revision), so a write that
 * outlives a server's loss is stored once, never twice and never silently dropped.
 */
function kvBucket(bucket: string, { kv, js, domain }: ReachedKv): LatticeBucket {
  // Where nats.js's own KV writes go: through the hub's API prefix when the bucket is reached by domain.
  const subject = (key: string) => `${domain ? `$JS.${domain}.API.` : ''}$KV.${bucket}.${key}`;
  const write = (key: string, value: Uint8Array, options: Partial<JetStreamPublishOptions> = {}) => {
    const msgID = randomUUID();
    return rideOut(() => js.publish(subject(key), value, { ...options, msgID }));
  };
  return {
    async get(key) {
      const entry = await rideOut(() => kv.get(key));
      if (!entry) return { revision: 0 };
      return entry.operation === 'PUT' ? { value: entry.value, revision: entry.revision } : { revision: entry.revision };
    },
    put: async (key, value) => void (await write(key, value)),
    async delete(key) {
      const marker = headers();
      marker.set('KV-Operation', 'DEL');
      await write(key, new Uint8Array(), { headers: marker });
    },
    keys: async function* () {
      yield* await kv.keys();
    },
    async putIfRevision(key, value, revision) {
      try {
        // A deleted key still has a revision: the write expects it; a key never written expects 0.
        await write(key, value, { expect: { lastSubjectSequence: revision } });
        return true;
      } catch (error) {
        if (lostTheRace(error)) return false;
        throw error;
      }
    },
  };
}
