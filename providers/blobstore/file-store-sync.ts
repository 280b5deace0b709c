// The file store as an actor's thread runs it: synchronous, since a guest's call waits for it
// anyway, and a call that suspended (JSPI) could not hand the guest its error. The layout and the
// guarantees are file-backend.ts's: an object is replaced whole by a synced temporary file renamed
// over it, then the directory synced.
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectInfo } from './backend.ts';
import { BlobError } from './errors.ts';
import { CONTAINER_FILE, containerPath, containerRecord, objectPath, TEMP_PREFIX } from './file-layout.ts';
import { nameOfFile } from './object-names.ts';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

/** A store's containers, by the store's names for them (the link has mapped the actor's). */
export class FileStoreSync {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  exists(container: string): boolean {
    try {
      statSync(join(containerPath(this.#root, container), CONTAINER_FILE));
      return true;
    } catch {
      return false;
    }
  }

  create(container: string): void {
    if (this.exists(container)) throw new BlobError('BLOB_CONTAINER_EXISTS', `container "${container}" already exists`);
    const dir = containerPath(this.#root, container);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeWhole(dir, join(dir, CONTAINER_FILE), containerRecord());
  }

  delete(container: string): void {
    rmSync(this.existing(container), { recursive: true, force: true });
  }

  createdAt(container: string): bigint {
    const { createdAt } = JSON.parse(readFileSync(join(this.existing(container), CONTAINER_FILE), 'utf8')) as { createdAt: number };
    return BigInt(createdAt);
  }

  /** Bytes `start` to `end` of the object, both inclusive (past its end: up to its end). */
  read(container: string, object: string, start: bigint, end: bigint): Uint8Array {
    if (start < 0n || end < start) throw new BlobError('BLOB_BAD_RANGE', `bytes ${start} to ${end} of "${object}" is not a range`);
    const fd = this.#open(container, object);
    try {
      const size = BigInt(fstatSync(fd).size);
      if (start >= size) return new Uint8Array();
      const length = Number((end < size ? end : size - 1n) - start + 1n);
      const bytes = new Uint8Array(length);
      let read = 0;
      while (read < length) {
        const count = readSync(fd, bytes, read, length - read, Number(start) + read);
        if (count === 0) break;
        read += count;
      }
      return read === length ? bytes : bytes.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  }

  write(container: string, object: string, data: Uint8Array): void {
    const dir = this.existing(container);
    writeWhole(dir, objectPath(dir, object), data);
  }

  list(container: string): string[] {
    return readdirSync(this.existing(container))
      .map(nameOfFile)
      .filter((name) => name !== undefined)
      .sort();
  }

  has(container: string, object: string): boolean {
    try {
      statSync(objectPath(this.existing(container), object));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  info(container: string, object: string): ObjectInfo {
    try {
      const stats = statSync(objectPath(this.existing(container), object));
      return { name: object, container, createdAt: BigInt(Math.floor(stats.mtimeMs / 1000)), size: BigInt(stats.size) };
    } catch (error) {
      throw isMissing(error) ? missing(container, object) : error;
    }
  }

  deleteObject(container: string, object: string): void {
    rmSync(objectPath(this.existing(container), object), { force: true });
  }

  clear(container: string): void {
    for (const object of this.list(container)) this.deleteObject(container, object);
  }

  /** The container's directory; BLOB_NO_SUCH_CONTAINER when it does not exist. */
  existing(container: string): string {
    if (!this.exists(container)) throw new BlobError('BLOB_NO_SUCH_CONTAINER', `container "${container}" does not exist`);
    return containerPath(this.#root, container);
  }

  /**
   * The object's file, opened to read. The container is looked for only when the object is not
   * there, to say which of the two is missing: a read that finds its object costs one lookup.
   */
  #open(container: string, object: string): number {
    try {
      return openSync(objectPath(containerPath(this.#root, container), object), 'r');
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.existing(container);
      throw missing(container, object);
    }
  }
}

const missing = (container: string, object: string) => new BlobError('BLOB_NO_SUCH_OBJECT', `object "${object}" does not exist in container "${container}"`);

/** Writes `data` to `target` (a file in `dir`) whole or not at all. */
function writeWhole(dir: string, target: string, data: Uint8Array): void {
  const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  const fd = openSync(temp, 'wx', 0o600);
  let renamed = false;
  try {
    for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written);
    fdatasyncSync(fd);
    closeSync(fd);
    renameSync(temp, target);
    renamed = true;
    // The rename is durable once the directory is.
    const directory = openSync(dir, 'r');
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
  } finally {
    if (!renamed) {
      try {
        closeSync(fd);
      } catch {
        // closed already, before the rename failed
      }
      rmSync(temp, { force: true });
    }
  }
}
