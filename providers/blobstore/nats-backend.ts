import type { LatticeObjectStore, LatticeObjectStores } from '../../host/index.ts';
import type { BlobBackend, BlobContainer, ObjectInfo } from './backend.ts';
import { BlobError } from './errors.ts';
import { bucketNameOf } from './object-names.ts';

/**
 * A blob store in the lattice's JetStream: an object store per container (named by
 * `bucketNameOf`). An object store writes an object's chunks first and its metadata last, so a
 * reader sees the old object or the new one, never a part, even when the writer dies between.
 */
export function natsBlobBackend(stores: LatticeObjectStores): BlobBackend {
  const existing = async (name: string) => {
    const store = await stores.store(bucketNameOf(name));
    if (!store) throw new BlobError('BLOB_NO_SUCH_CONTAINER', `container "${name}" does not exist`);
    return new NatsContainer(name, store);
  };
  return {
    async createContainer(name) {
      if (!(await stores.create(bucketNameOf(name)))) throw new BlobError('BLOB_CONTAINER_EXISTS', `container "${name}" already exists`);
      return existing(name);
    },
    container: existing,
    containerExists: (name) => stores.exists(bucketNameOf(name)),
    async deleteContainer(name) {
      if (!(await stores.destroy(bucketNameOf(name)))) throw new BlobError('BLOB_NO_SUCH_CONTAINER', `container "${name}" does not exist`);
    },
    close: () => stores.close(),
  };
}

class NatsContainer implements BlobContainer {
  readonly name: string;
  readonly #store: LatticeObjectStore;

  constructor(name: string, store: LatticeObjectStore) {
    this.name = name;
    this.#store = store;
  }

  async createdAt(): Promise<bigint> {
    return BigInt(await this.#store.createdAt());
  }

  async read(object: string, start: bigint, end: bigint): Promise<Uint8Array> {
    if (start < 0n || end < start) throw new BlobError('BLOB_BAD_RANGE', `bytes ${start} to ${end} of "${object}" is not a range`);
    const bytes = await this.#store.get(checked(object));
    if (!bytes) throw this.#missing(object);
    if (start >= BigInt(bytes.length)) return new Uint8Array();
    return bytes.subarray(Number(start), end >= BigInt(bytes.length) ? bytes.length : Number(end) + 1);
  }

  async write(object: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    await this.#store.put(checked(object), data instanceof Uint8Array ? data : await collect(data));
  }

  async list(): Promise<string[]> {
    return (await this.#store.list()).sort();
  }

  async has(object: string): Promise<boolean> {
    return (await this.#store.info(checked(object))) !== undefined;
  }

  async info(object: string): Promise<ObjectInfo> {
    const info = await this.#store.info(checked(object));
    if (!info) throw this.#missing(object);
    return { name: object, container: this.name, createdAt: BigInt(info.modifiedAt), size: BigInt(info.size) };
  }

  async delete(object: string): Promise<void> {
    await this.#store.delete(checked(object));
  }

  async clear(): Promise<void> {
    for (const object of await this.list()) await this.delete(object);
  }

  #missing(object: string): BlobError {
    return new BlobError('BLOB_NO_SUCH_OBJECT', `object "${object}" does not exist in container "${this.name}"`);
  }
}

function checked(object: string): string {
  if (object.length === 0) throw new BlobError('BLOB_BAD_NAME', 'an object name is empty');
  if (!object.isWellFormed()) throw new BlobError('BLOB_BAD_NAME', 'an object name is not well-formed UTF-8');
  return object;
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
