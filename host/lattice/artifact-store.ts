import type { JetStreamClient, NatsConnection, ObjectInfo, ObjectStore } from 'nats';
import { HostError } from '../errors.ts';
import type { LatticeArtifact, LatticeArtifacts } from '../artifacts/artifact-puller.ts';
import { checkReplicas, reachJetStream, streamExists, streamOf } from './object-stores.ts';

/** The object store holding a lattice's artifacts, on the hub's JetStream. */
export const artifactStoreName = (lattice: string) => `badger_artifacts_${lattice}`;

/** nats.js writes an object's digest `SHA-256=<base64url>`; OCI and the cache write `sha256:<hex>`. */
const digestOf = (info: ObjectInfo) => `sha256:${Buffer.from(info.digest.replace(/^SHA-256=/i, ''), 'base64url').toString('hex')}`;
const described = (info: ObjectInfo): LatticeArtifact => ({ name: info.name, digest: digestOf(info), size: info.size, modifiedAt: info.mtime });

/**
 * The lattice's artifact store (`badger push … name:version`, `lattice://` references) in a
 * JetStream object store on `connection`: the server's own JetStream, or the hub's through a leaf
 * by its domain. Reads do not make the store; the first push does.
 */
export function latticeArtifactStore(connection: NatsConnection, lattice: string, url = 'the lattice', options: { readonly replicas?: number } = {}): LatticeArtifacts {
  const name = artifactStoreName(lattice);
  let held: { store: ObjectStore; js: JetStreamClient } | undefined;
  const opened = async (create = false) => {
    if (held) return held;
    const { js, jsm } = await reachJetStream(connection, url);
    const exists = await streamExists(jsm, streamOf(name));
    if (!create && !exists) return undefined;
    const store = await js.views.os(name, options.replicas === undefined ? {} : { replicas: options.replicas });
    // A store that existed is used only with the replicas asked for, when some were asked for.
    if (exists && options.replicas !== undefined) await checkReplicas(jsm, streamOf(name), `lattice ${lattice}'s artifact store`, options.replicas);
    return (held = { store, js });
  };
  const store = async (create = false) => (await opened(create))?.store;
  const live = (info: ObjectInfo | null) => (info && !info.deleted ? info : undefined);
  return {
    async put(object, bytes) {
      const info = await (await store(true))!.putBlob({ name: object }, bytes);
      return described(info);
    },
    async info(object) {
      const info = live((await (await store())?.info(object)) ?? null);
      return info ? described(info) : undefined;
    },
    async get(object, maxBytes) {
      const at = await opened();
      const info = live((await at?.store.info(object)) ?? null);
      if (!info) return undefined;
      // Checked again here: the object may have been replaced since its size was last looked at.
      if (info.size > maxBytes) throw new HostError('ARTIFACT_TOO_LARGE', `lattice://${object} is larger than the ${maxBytes}-byte limit (the store says ${info.size})`);
      return readChunks(at!.js, name, info);
    },
    async list() {
      const all = (await (await store())?.list()) ?? [];
      return all.filter((info) => !info.deleted).map(described).sort((a, b) => a.name.localeCompare(b.name));
    },
    async remove(object) {
      const held = await store();
      if (!live((await held?.info(object)) ?? null)) return false;
      await held!.delete(object);
      return true;
    },
  };
}

/**
 * An object's bytes, read from its chunks' subject by an ordered consumer into one buffer of the
 * size its info states. nats.js's own getBlob is three times slower for a component: it hashes in
 * JavaScript and copies every chunk through a stream. The puller checks the digest, with Node's.
 */
async function readChunks(js: JetStreamClient, store: string, info: ObjectInfo): Promise<Uint8Array> {
  const bytes = new Uint8Array(info.size);
  if (info.size === 0) return bytes;
  const consumer = await js.consumers.get(streamOf(store), { filterSubjects: `$O.${store}.C.${info.nuid}` });
  const messages = await consumer.consume({ max_messages: Math.max(1, Math.min(info.chunks, 64)) });
  let received = 0;
  try {
    for await (const message of messages) {
      if (received + message.data.length > info.size) throw new HostError('ARTIFACT_DIGEST_MISMATCH', `${info.name}: the store holds more than the ${info.size} bytes its info states`);
      bytes.set(message.data, received);
      received += message.data.length;
      if (message.info.pending === 0) break;
    }
  } finally {
    messages.stop();
  }
  if (received !== info.size) throw new HostError('ARTIFACT_DIGEST_MISMATCH', `${info.name}: the store served ${received} bytes, not the ${info.size} its info states`);
  return bytes;
}
