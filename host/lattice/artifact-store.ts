import type { NatsConnection, ObjectInfo, ObjectStore } from 'nats';
import type { LatticeArtifact, LatticeArtifacts } from '../artifacts/artifact-puller.ts';
import { reachJetStream, streamExists, streamOf } from './object-stores.ts';

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
export function latticeArtifactStore(connection: NatsConnection, lattice: string, url = 'the lattice'): LatticeArtifacts {
  const name = artifactStoreName(lattice);
  let held: ObjectStore | undefined;
  const store = async (create = false) => {
    if (held) return held;
    const { js, jsm } = await reachJetStream(connection, url);
    if (!create && !(await streamExists(jsm, streamOf(name)))) return undefined;
    return (held = await js.views.os(name));
  };
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
    async get(object) {
      return (await (await store())?.getBlob(object)) ?? undefined;
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
