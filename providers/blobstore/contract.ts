// The guest side runs in every actor thread that imports wasi:blobstore: from the host, types and
// the guest-side stream classes only. A link to a file store of the actor's own process is run
// here, on the same directory the provider would use: a write or a read then crosses nothing.
// Every other link (nats, a provider on another host) crosses to the provider.
import { InputStream, OutputStream } from '../../host/guest-side.ts';
import type { Contract, Link, RoutedCall } from '../../host/index.ts';
import type { ObjectInfo } from './backend.ts';
import { blobErrorText, tooLarge } from './errors.ts';
import { FileStoreSync } from './file-store-sync.ts';
import { processIdentity, type FilePlacement } from './placement.ts';

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
  /** Where a file link's store is, for the actor's thread to use itself; undefined for any other backend. */
  placement(link: Link): Promise<FilePlacement | undefined>;
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
  // Where a link's store is stays so until a link changes.
  rememberedImports: [`${TYPES}#placement`, `${CONTAINER}#placement`, `${BLOBSTORE}#placement`],

  guestImports(call: RoutedCall) {
    const here = processIdentity();
    const stores = new Map<string, FileStoreSync>();
    /** The file store this thread runs itself for the link `iface` goes through; undefined: the call crosses. */
    const inThread = (iface: string): { readonly store: FileStoreSync; readonly placement: FilePlacement } | undefined => {
      let placement: FilePlacement | undefined;
      try {
        placement = call(iface, 'placement', []) as FilePlacement | undefined;
      } catch {
        // No link (the crossing says so), or a provider that cannot tell: cross.
        return undefined;
      }
      if (placement?.process !== here) return undefined;
      let store = stores.get(placement.root);
      if (!store) stores.set(placement.root, (store = new FileStoreSync(placement.root)));
      return { store, placement };
    };
    const storeName = (placement: FilePlacement, container: string) => placement.containers[container] ?? `${placement.prefix}${container}`;
    /** Runs `work` on a store of this thread; its failure is the guest's error string, naming what the actor named. */
    const locally = <T>(container: string, object: string | undefined, work: () => T): T => {
      try {
        return work();
      } catch (failure) {
        throw error(blobErrorText(failure, container, object));
      }
    };
    /** `op` on container `name`: in this thread when its link allows, else across. */
    const onContainer = <T>(iface: string, op: string, args: unknown[], name: string, object: string | undefined, work: (store: FileStoreSync, storeContainer: string, placement: FilePlacement) => T): T => {
      const local = inThread(iface);
      if (!local) return call(iface, op, args) as T;
      return locally(name, object, () => work(local.store, storeName(local.placement, name), local.placement));
    };
    const writeData = (container: string, object: string, bytes: Uint8Array) =>
      onContainer(CONTAINER, 'write-data', [container, object, bytes], container, object, (store, stored, placement) => {
        if (bytes.length > placement.maxObjectBytes) throw tooLarge(object, bytes.length, placement.maxObjectBytes);
        store.write(stored, object, bytes);
      });
    const copy = (source: ObjectId, destination: ObjectId, op: 'copy-object' | 'move-object') => {
      const local = inThread(BLOBSTORE);
      if (!local) return call(BLOBSTORE, op, [source, destination]);
      const { store, placement } = local;
      const bytes = locally(source.container, source.object, () => store.read(storeName(placement, source.container), source.object, 0n, BigInt(Number.MAX_SAFE_INTEGER)));
      locally(destination.container, destination.object, () => store.write(storeName(placement, destination.container), destination.object, bytes));
      const same = source.container === destination.container && source.object === destination.object;
      if (op === 'move-object' && !same) locally(source.container, source.object, () => store.deleteObject(storeName(placement, source.container), source.object));
      return undefined;
    };
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
        for (const [container, object] of value.#destinations.splice(0)) writeData(container, object, bytes);
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
      info() {
        return onContainer(CONTAINER, 'info', [this.#name], this.#name, undefined, (store, stored) => ({ name: this.#name, createdAt: store.createdAt(stored) }));
      }
      getData(object: string, start: bigint, end: bigint) {
        return new IncomingValue(onContainer(CONTAINER, 'get-data', [this.#name, object, start, end], this.#name, object, (store, stored) => store.read(stored, object, start, end)));
      }
      writeData(object: string, data: OutgoingValue) {
        if (!(data instanceof OutgoingValue)) throw error('write-data takes an outgoing-value');
        data.writeTo(this.#name, object);
      }
      listObjects() {
        return new StreamObjectNames(onContainer(CONTAINER, 'list-objects', [this.#name], this.#name, undefined, (store, stored) => store.list(stored)));
      }
      deleteObject(object: string) {
        return onContainer(CONTAINER, 'delete-object', [this.#name, object], this.#name, object, (store, stored) => store.deleteObject(stored, object));
      }
      deleteObjects(objects: string[]) {
        return onContainer(CONTAINER, 'delete-objects', [this.#name, objects], this.#name, undefined, (store, stored) => {
          for (const object of objects) store.deleteObject(stored, object);
        });
      }
      hasObject(object: string) {
        return onContainer(CONTAINER, 'has-object', [this.#name, object], this.#name, object, (store, stored) => store.has(stored, object));
      }
      objectInfo(object: string) {
        return onContainer(CONTAINER, 'object-info', [this.#name, object], this.#name, object, (store, stored) => ({ ...store.info(stored, object), container: this.#name }));
      }
      clear() {
        return onContainer(CONTAINER, 'clear', [this.#name], this.#name, undefined, (store, stored) => store.clear(stored));
      }
    }

    return {
      [TYPES]: { OutgoingValue, IncomingValue },
      [CONTAINER]: { Container, StreamObjectNames },
      [BLOBSTORE]: {
        createContainer: (name: string) => (onContainer(BLOBSTORE, 'create-container', [name], name, undefined, (store, stored) => store.create(stored)), new Container(name)),
        getContainer: (name: string) => (onContainer(BLOBSTORE, 'get-container', [name], name, undefined, (store, stored) => void store.existing(stored)), new Container(name)),
        deleteContainer: (name: string) => onContainer(BLOBSTORE, 'delete-container', [name], name, undefined, (store, stored) => store.delete(stored)),
        containerExists: (name: string) => onContainer(BLOBSTORE, 'container-exists', [name], name, undefined, (store, stored) => store.exists(stored)),
        copyObject: (source: ObjectId, destination: ObjectId) => copy(source, destination, 'copy-object'),
        moveObject: (source: ObjectId, destination: ObjectId) => copy(source, destination, 'move-object'),
      },
    };
  },

  dispatch(handler, iface, operation, args, link) {
    // A call may come from another host of the lattice: its arguments are checked before they reach a store.
    const problem = argumentsProblem(operation, args);
    if (problem !== undefined) return Promise.reject(new Error(`${iface}#${operation}: ${problem}`));
    const [first, second, third, fourth] = args;
    if (operation === 'placement') return handler.placement(link);
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
  placement: [],
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
