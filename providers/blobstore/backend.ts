/** What wasi:blobstore calls an object's metadata; times are seconds since the Unix epoch. */
export interface ObjectInfo {
  readonly name: string;
  readonly container: string;
  readonly createdAt: bigint;
  readonly size: bigint;
}

/** A named collection of objects. Every method names the object the error is about. */
export interface BlobContainer {
  readonly name: string;
  createdAt(): Promise<bigint>;
  /** Bytes `start` to `end` of the object, both inclusive, as wasi:blobstore's `get-data` reads them. */
  read(object: string, start: bigint, end: bigint): Promise<Uint8Array>;
  /** Writes the whole object, or nothing: a reader sees the old bytes or the new ones, never a part. */
  write(object: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void>;
  list(): Promise<string[]>;
  has(object: string): Promise<boolean>;
  info(object: string): Promise<ObjectInfo>;
  delete(object: string): Promise<void>;
  clear(): Promise<void>;
}

/** Where containers live: a directory, a NATS object store. */
export interface BlobBackend {
  createContainer(name: string): Promise<BlobContainer>;
  container(name: string): Promise<BlobContainer>;
  containerExists(name: string): Promise<boolean>;
  deleteContainer(name: string): Promise<void>;
  /** Lets go of what the backend holds open (a connection); absent when it holds nothing. */
  close?(): Promise<void>;
}
