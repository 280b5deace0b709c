import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobBackend, BlobContainer, ObjectInfo } from './backend.ts';
import { BlobError } from './errors.ts';
import { CONTAINER_FILE, containerPath, containerRecord, objectPath, TEMP_PREFIX } from './file-layout.ts';
import { nameOfFile } from './object-names.ts';


export interface FileBackendOptions {
  /** Larger writes fail with BLOB_TOO_LARGE and leave nothing behind. */
  readonly maxObjectBytes: number;
}

/**
 * A blob store in a directory: a directory per container, a file per object, each named by
 * object-names.ts so that no name reaches outside. A write goes to a temporary file in the same
 * directory, which is synced and then renamed over the object (and the directory synced): a
 * `kill -9` at any moment leaves the old object or the new one, and at worst a temporary file that
 * no listing shows.
 */
export async function fileBlobBackend(dir: string, options: FileBackendOptions): Promise<BlobBackend> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const containerDir = (name: string) => containerPath(dir, name);
  const exists = async (name: string) => (await stat(join(containerDir(name), CONTAINER_FILE)).catch(() => undefined)) !== undefined;
  const existing = async (name: string) => {
    if (!(await exists(name))) throw new BlobError('BLOB_NO_SUCH_CONTAINER', `container "${name}" does not exist`);
    return containerDir(name);
  };
  return {
    async createContainer(name) {
      const path = containerDir(name);
      if (await exists(name)) throw new BlobError('BLOB_CONTAINER_EXISTS', `container "${name}" already exists`);
      await mkdir(path, { recursive: true, mode: 0o700 });
      await writeAtomically(path, join(path, CONTAINER_FILE), [containerRecord()], Infinity);
      return new FileContainer(name, path, options.maxObjectBytes);
    },
    async container(name) {
      return new FileContainer(name, await existing(name), options.maxObjectBytes);
    },
    containerExists: exists,
    async deleteContainer(name) {
      await rm(await existing(name), { recursive: true, force: true });
    },
  };
}

class FileContainer implements BlobContainer {
  readonly name: string;
  readonly #dir: string;
  readonly #maxObjectBytes: number;

  constructor(name: string, dir: string, maxObjectBytes: number) {
    this.name = name;
    this.#dir = dir;
    this.#maxObjectBytes = maxObjectBytes;
  }

  async createdAt(): Promise<bigint> {
    const { createdAt } = JSON.parse(await readFile(join(this.#dir, CONTAINER_FILE), 'utf8')) as { createdAt: number };
    return BigInt(createdAt);
  }

  async read(object: string, start: bigint, end: bigint): Promise<Uint8Array> {
    if (start < 0n || end < start) throw new BlobError('BLOB_BAD_RANGE', `bytes ${start} to ${end} of "${object}" is not a range`);
    const file = await this.#open(object);
    try {
      const size = BigInt((await file.stat()).size);
      if (start >= size) return new Uint8Array();
      const length = Number((end < size ? end : size - 1n) - start + 1n);
      const bytes = new Uint8Array(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await file.read(bytes, read, length - read, Number(start) + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return read === length ? bytes : bytes.subarray(0, read);
    } finally {
      await file.close();
    }
  }

  async write(object: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    await writeAtomically(this.#dir, objectPath(this.#dir, object), data instanceof Uint8Array ? [data] : data, this.#maxObjectBytes, object);
  }

  async list(): Promise<string[]> {
    const names = (await readdir(this.#dir)).map(nameOfFile).filter((name) => name !== undefined);
    return names.sort();
  }

  async has(object: string): Promise<boolean> {
    return (await stat(this.#path(object)).catch(() => undefined)) !== undefined;
  }

  async info(object: string): Promise<ObjectInfo> {
    const stats = await stat(this.#path(object)).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? this.#missing(object) : error;
    });
    return { name: object, container: this.name, createdAt: BigInt(Math.floor(stats.mtimeMs / 1000)), size: BigInt(stats.size) };
  }

  async delete(object: string): Promise<void> {
    await rm(this.#path(object), { force: true });
  }

  async clear(): Promise<void> {
    for (const object of await this.list()) await this.delete(object);
  }

  async #open(object: string): Promise<FileHandle> {
    try {
      return await open(this.#path(object), 'r');
    } catch (error) {
      throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? this.#missing(object) : error;
    }
  }

  #path(object: string): string {
    return objectPath(this.#dir, object);
  }

  #missing(object: string): BlobError {
    return new BlobError('BLOB_NO_SUCH_OBJECT', `object "${object}" does not exist in container "${this.name}"`);
  }
}

/** Writes `chunks` to `target` (a file in `dir`) whole or not at all (see fileBlobBackend). */
async function writeAtomically(dir: string, target: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, maxBytes: number, object = target): Promise<void> {
  const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  const file = await open(temp, 'wx', 0o600);
  let renamed = false;
  try {
    let size = 0;
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new BlobError('BLOB_TOO_LARGE', `object "${object}" is over the limit of ${maxBytes} bytes`);
      await file.write(chunk);
    }
    await file.datasync();
    await file.close();
    await rename(temp, target);
    renamed = true;
    // The rename is durable once the directory is.
    const directory = await open(dir, 'r');
    await directory.sync().finally(() => directory.close());
  } finally {
    if (!renamed) {
      await file.close().catch(() => {});
      await rm(temp, { force: true });
    }
  }
}
