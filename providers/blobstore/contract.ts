// The guest side runs in every actor thread that imports wasi:blobstore: from the host, types and
// the guest-side stream classes only.
import { InputStream, OutputStream } from '../../host/guest-side.ts';
import type { Contract, Link, RoutedCall } from '../../host/index.ts';
import type { ObjectInfo } from './backend.ts';

/** Where an object is, as the actor names it. */
export interface ObjectId {
  readonly container: string;
  readonly object: string;
}

export interface ContainerMetadata {
  readonly name: string;
  readonly createdAt: bigint;
}


/**
 * What a blobstore provider implements. Containers are named as the actor names them; the
 * provider maps them to its store through the link. Every failure is a WitError holding a string,
 * wasi:blobstore's error.
 */
export interface BlobstoreHandler {
  createContainer(container: string, link: Link): Promise<void>;
  /** Succeeds when the container exists. */
  getContainer(container: string, link: Link): Promise<void>;
  deleteContainer(container: string, link: Link): Promise<void>;
  containerExists(container: string, link: Link): Promise<boolean>;
  copyObject(source: ObjectId, destination: ObjectId, link: Link): Promise<void>;
  moveObject(source: ObjectId, destination: ObjectId, link: Link): Promise<void>;
  containerInfo(container: string, link: Link): Promise<ContainerMetadata>;
  /** Bytes `start` to `end`, both inclusive. */
  getData(container: string, object: string, start: bigint, end: bigint, link: Link): Promise<Uint8Array>;
  writeData(container: string, object: string, data: Uint8Array, link: Link): Promise<void>;
  listObjects(container: string, link: Link): Promise<string[]>;
  deleteObject(container: string, object: string, link: Link): Promise<void>;
  deleteObjects(container: string, objects: readonly string[], link: Link): Promise<void>;
  hasObject(container: string, object: string, link: Link): Promise<boolean>;
  objectInfo(container: string, object: string, link: Link): Promise<ObjectInfo>;
  clear(container: string, link: Link): Promise<void>;
}

const TYPES = 'wasi:blobstore/types';
const CONTAINER = 'wasi:blobstore/container';
const BLOBSTORE = 'wasi:blobstore/blobstore';

/** A result's `err` for a function whose error type is unit. */
const UNIT_ERROR = { payload: undefined } as const;
const error = (message: string) => ({ payload: message });

export const contract: Contract<BlobstoreHandler> = {
  module: import.meta.url,
  package: 'wasi:blobstore',
  versions: '0.2.0-draft',
  interfaces: [TYPES, CONTAINER, BLOBSTORE],
  asyncImports: [],

  guestImports(call: RoutedCall) {
    /**
     * An object's bytes on their way in. `write-data` borrows the value, and only `finish` (which
     * takes it) says the body is whole, so the writes a guest asks for are made when it finishes:
     * wasmCloud's components call write-data before finish, and may still be writing the body.
     * A value dropped unfinished writes nothing, as the WIT asks.
     */
    class OutgoingValue {
      readonly #chunks: Uint8Array[] = [];
      #bodyGiven = false;
      readonly #destinations: [string, string][] = [];

      static newOutgoingValue() {
        return new OutgoingValue();
      }

      outgoingValueWriteBody() {
        if (this.#bodyGiven) throw UNIT_ERROR;
        this.#bodyGiven = true;
        return new OutputStream((chunk) => this.#chunks.push(chunk));
      }

      static finish(value: OutgoingValue) {
        const bytes = concatenate(value.#chunks);
        value.#chunks.length = 0;
        for (const [container, object] of value.#destinations.splice(0)) call(CONTAINER, 'write-data', [container, object, bytes]);
      }

      writeTo(container: string, object: string) {
        this.#destinations.push([container, object]);
      }
    }

    class IncomingValue {
      readonly #bytes: Uint8Array;
      constructor(bytes: Uint8Array) {
        this.#bytes = bytes;
      }
      static incomingValueConsumeSync(value: IncomingValue) {
        return value.#bytes;
      }
      static incomingValueConsumeAsync(value: IncomingValue) {
        return new InputStream(value.#bytes);
      }
      size() {
        return BigInt(this.#bytes.length);
      }
    }

    /** The names were all read when the stream was made: a listing is one crossing, not one per page. */
    class StreamObjectNames {
      readonly #names: string[];
      #next = 0;
      constructor(names: string[]) {
        this.#names = names;
      }
      readStreamObjectNames(length: bigint) {
        const names = this.#names.slice(this.#next, this.#next + clampCount(length));
        this.#next += names.length;
        return [names, this.#next >= this.#names.length];
      }
      skipStreamObjectNames(count: bigint) {
        const skipped = Math.min(clampCount(count), this.#names.length - this.#next);
        this.#next += skipped;
        return [BigInt(skipped), this.#next >= this.#names.length];
      }
    }

    // A container is only its name on the guest side; the provider behind the link holds the objects.
    class Container {
      readonly #name: string;
      constructor(name: string) {
        this.#name = name;
      }
      name() { return this.#name; }
      info() { return call(CONTAINER, 'info', [this.#name]); }
      getData(object: string, start: bigint, end: bigint) {
        return new IncomingValue(call(CONTAINER, 'get-data', [this.#name, object, start, end]) as Uint8Array);
      }
      writeData(object: string, data: OutgoingValue) {
        if (!(data instanceof OutgoingValue)) throw error('write-data takes an outgoing-value');
        data.writeTo(this.#name, object);
      }
      listObjects() { return new StreamObjectNames(call(CONTAINER, 'list-objects', [this.#name]) as string[]); }
      deleteObject(object: string) { return call(CONTAINER, 'delete-object', [this.#name, object]); }
      deleteObjects(objects: string[]) { return call(CONTAINER, 'delete-objects', [this.#name, objects]); }
      hasObject(object: string) { return call(CONTAINER, 'has-object', [this.#name, object]); }
      objectInfo(object: string) { return call(CONTAINER, 'object-info', [this.#name, object]); }
      clear() { return call(CONTAINER, 'clear', [this.#name]); }
    }

    return {
      [TYPES]: { OutgoingValue, IncomingValue },
      [CONTAINER]: { Container, StreamObjectNames },
      [BLOBSTORE]: {
        createContainer: (name: string) => (call(BLOBSTORE, 'create-container', [name]), new Container(name)),
        getContainer: (name: string) => (call(BLOBSTORE, 'get-container', [name]), new Container(name)),
        deleteContainer: (name: string) => call(BLOBSTORE, 'delete-container', [name]),
        containerExists: (name: string) => call(BLOBSTORE, 'container-exists', [name]),
        copyObject: (source: ObjectId, destination: ObjectId) => call(BLOBSTORE, 'copy-object', [source, destination]),
        moveObject: (source: ObjectId, destination: ObjectId) => call(BLOBSTORE, 'move-object', [source, destination]),
      },
    };
  },

  dispatch(handler, iface, operation, args, link) {
    // A call may come from another host of the lattice: its arguments are checked before they reach a store.
    const problem = argumentsProblem(operation, args);
    if (problem !== undefined) return Promise.reject(new Error(`${iface}#${operation}: ${problem}`));
    const [first, second, third, fourth] = args;
    switch (`${iface}#${operation}`) {
      case `${BLOBSTORE}#create-container`: return handler.createContainer(first as string, link);
      case `${BLOBSTORE}#get-container`: return handler.getContainer(first as string, link);
      case `${BLOBSTORE}#delete-container`: return handler.deleteContainer(first as string, link);
      case `${BLOBSTORE}#container-exists`: return handler.containerExists(first as string, link);
      case `${BLOBSTORE}#copy-object`: return handler.copyObject(first as ObjectId, second as ObjectId, link);
      case `${BLOBSTORE}#move-object`: return handler.moveObject(first as ObjectId, second as ObjectId, link);
      case `${CONTAINER}#info`: return handler.containerInfo(first as string, link);
      case `${CONTAINER}#get-data`: return handler.getData(first as string, second as string, third as bigint, fourth as bigint, link);
      case `${CONTAINER}#write-data`: return handler.writeData(first as string, second as string, third as Uint8Array, link);
      case `${CONTAINER}#list-objects`: return handler.listObjects(first as string, link);
      case `${CONTAINER}#delete-object`: return handler.deleteObject(first as string, second as string, link);
      case `${CONTAINER}#delete-objects`: return handler.deleteObjects(first as string, second as string[], link);
      case `${CONTAINER}#has-object`: return handler.hasObject(first as string, second as string, link);
      case `${CONTAINER}#object-info`: return handler.objectInfo(first as string, second as string, link);
      case `${CONTAINER}#clear`: return handler.clear(first as string, link);
      default: return undefined;
    }
  },

  // wasi:blobstore's error is a string, for a human.
  notLinked: (message) => message,
  failed: (message) => message,
};

type ArgumentKind = 'string' | 'u64' | 'bytes' | 'strings' | 'object-id';

/** What each function takes, as it crosses (the container's name first, for a container's methods). */
const ARGUMENTS: Readonly<Record<string, readonly ArgumentKind[]>> = {
  'create-container': ['string'],
  'get-container': ['string'],
  'delete-container': ['string'],
  'container-exists': ['string'],
  'copy-object': ['object-id', 'object-id'],
  'move-object': ['object-id', 'object-id'],
  info: ['string'],
  'get-data': ['string', 'string', 'u64', 'u64'],
  'write-data': ['string', 'string', 'bytes'],
  'list-objects': ['string'],
  'delete-object': ['string', 'string'],
  'delete-objects': ['string', 'strings'],
  'has-object': ['string', 'string'],
  'object-info': ['string', 'string'],
  clear: ['string'],
};

const IS: Readonly<Record<ArgumentKind, (value: unknown) => boolean>> = {
  string: (value) => typeof value === 'string',
  u64: (value) => typeof value === 'bigint' && value >= 0n && value < 1n << 64n,
  bytes: (value) => value instanceof Uint8Array,
  strings: (value) => Array.isArray(value) && value.every((item) => typeof item === 'string'),
  'object-id': (value) => typeof value === 'object' && value !== null && typeof (value as ObjectId).container === 'string' && typeof (value as ObjectId).object === 'string',
};

/** Why `args` do not fit the function (pure); undefined when they do, or when there is no such function. */
export function argumentsProblem(operation: string, args: readonly unknown[]): string | undefined {
  const kinds = ARGUMENTS[operation];
  if (kinds === undefined) return undefined;
  if (args.length !== kinds.length) return `takes ${kinds.length} argument(s), not ${args.length}`;
  const wrong = kinds.findIndex((kind, i) => !IS[kind](args[i]));
  return wrong < 0 ? undefined : `argument ${wrong + 1} is not a ${kinds[wrong]}`;
}

function concatenate(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

function clampCount(count: bigint): number {
  return count > 0x7fffffffn ? 0x7fffffff : Number(count);
}
