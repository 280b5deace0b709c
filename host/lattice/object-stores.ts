import { connect, ErrorCode, type JetStreamClient, type JetStreamManager, type NatsConnection, type NatsError, type ObjectStore } from 'nats';
import { LatticeError } from '../errors.ts';
import type { LatticeObjectStore, LatticeObjectStores } from '../remote-targets.ts';
import { HUB_JETSTREAM_DOMAIN } from './nats-config.ts';
import { natsServers, RECONNECT_FOR_EVER } from './servers.ts';

// JetStream's "stream not found" (JSStreamNotFoundErr).
const STREAM_NOT_FOUND = 10059;
const notFound = (error: unknown) => (error as NatsError | undefined)?.api_error?.err_code === STREAM_NOT_FOUND;
const unanswered = (error: unknown) => (error as NatsError | undefined)?.code === ErrorCode.NoResponders;

/** nats.js keeps an object store `<name>` in the stream `OBJ_<name>`. */
export const streamOf = (name: string) => `OBJ_${name}`;
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * nats.js names an object's subject by `btoa` of its name, which refuses any character past
 * U+00FF: an object is named to it by its UTF-8 bytes, one character each, and named back so.
 * (Clients in other languages see such a name's bytes spelt that way in its metadata.)
 */
const toStoreName = (object: string) => Buffer.from(object, 'utf8').toString('latin1');
const fromStoreName = (stored: string) => Buffer.from(stored, 'latin1').toString('utf8');

interface JetStream {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

/**
 * The server's own JetStream, or else the hub's through a leaf node by its domain (as for the
 * key-value buckets: nats-server keeps the JetStream API from crossing a leaf connection otherwise).
 */
export async function reachJetStream(connection: NatsConnection, url: string): Promise<JetStream> {
  try {
    return { jsm: await connection.jetstreamManager(), js: connection.jetstream() };
  } catch (error) {
    if (!unanswered(error)) throw error;
    try {
      return { jsm: await connection.jetstreamManager({ domain: HUB_JETSTREAM_DOMAIN }), js: connection.jetstream({ domain: HUB_JETSTREAM_DOMAIN }) };
    } catch (through) {
      if (!unanswered(through)) throw through;
      throw new LatticeError('LATTICE_NO_JETSTREAM', `no JetStream answers at ${url} for the lattice's object stores: run the NATS server with -js, or use badger nats hub`, { cause: through });
    }
  }
}

/**
 * The lattice's object stores at a NATS URL, on a connection of their own: the port a provider's
 * NATS blob backend is built on (`LatticeObjectStores`), so that providers never import nats.
 */
export async function openLatticeObjectStores(url: string): Promise<LatticeObjectStores> {
  const connection = await connect({ servers: natsServers(url), ...RECONNECT_FOR_EVER, name: 'badger-blobstore' });
  let jetStream: JetStream;
  try {
    jetStream = await reachJetStream(connection, url);
  } catch (error) {
    await connection.close();
    throw error;
  }
  const { js, jsm } = jetStream;
  const exists = (name: string) => streamExists(jsm, streamOf(name));
  return {
    exists,
    async create(name) {
      if (await exists(name)) return false;
      await js.views.os(name);
      return true;
    },
    async store(name) {
      if (!(await exists(name))) return undefined;
      return objectStore(name, await js.views.os(name), jsm);
    },
    async destroy(name) {
      try {
        return await jsm.streams.delete(streamOf(name));
      } catch (error) {
        if (notFound(error)) return false;
        throw error;
      }
    },
    async close() {
      await connection.drain();
    },
  };
}

/**
 * Refuses a stream kept in another replica count than `wanted`, naming `what` it holds and the
 * command that changes it: JetStream would otherwise use it as it is.
 */
export async function checkReplicas(jsm: JetStreamManager, stream: string, what: string, wanted: number): Promise<void> {
  const actual = (await jsm.streams.info(stream)).config.num_replicas;
  if (actual !== wanted) {
    throw new LatticeError('LATTICE_REPLICAS_MISMATCH', `${what} exists with ${actual} replica${actual === 1 ? '' : 's'}, not the ${wanted} asked for: change it with "nats stream edit ${stream} --replicas ${wanted}", or ask for ${actual}`);
  }
}

export async function streamExists(jsm: JetStreamManager, stream: string): Promise<boolean> {
  try {
    await jsm.streams.info(stream);
    return true;
  } catch (error) {
    if (notFound(error)) return false;
    throw error;
  }
}

function objectStore(name: string, store: ObjectStore, jsm: JetStreamManager): LatticeObjectStore {
  return {
    createdAt: async () => seconds((await jsm.streams.info(streamOf(name))).created),
    get: async (object) => (await store.getBlob(toStoreName(object))) ?? undefined,
    // The object's metadata is written after all its chunks: until then readers see the old object.
    put: async (object, data) => void (await store.putBlob({ name: toStoreName(object) }, data)),
    async info(object) {
      const info = await store.info(toStoreName(object));
      return info && !info.deleted ? { size: info.size, modifiedAt: seconds(info.mtime) } : undefined;
    },
    list: async () => (await store.list()).filter((info) => !info.deleted).map((info) => fromStoreName(info.name)),
    delete: async (object) => void (await store.delete(toStoreName(object))),
  };
}
