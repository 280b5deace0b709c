/**
 * The port through which a host reaches what does not run on it, and offers what does: the
 * lattice, as the host sees it. `host/lattice/` implements it over NATS; the host core imports
 * neither NATS nor the lattice.
 */
import type { Link } from './links.ts';
import type { Provider, ProviderHealth } from './provider.ts';
import type { CallOutcome, RemoteCallOutcome } from './router.ts';

/** An HTTP request with its whole body, as it crosses to another host. */
export interface RemoteHttpRequest {
  readonly method: string;
  readonly pathWithQuery: string;
  readonly authority: string;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
}

export interface RemoteHttpResponse {
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
}

/** A call to an actor's export from another host: a function of a custom interface, or an HTTP request. */
export type ActorRpcRequest =
  | { readonly kind: 'call'; readonly iface: string; readonly fn: string; readonly args: unknown[] }
  | { readonly kind: 'http'; readonly request: RemoteHttpRequest };

/** Where a provider's server looks up the links it holds. */
export type HeldLinks = (source: string, iface: string, name: string) => Link | undefined | Promise<Link | undefined>;

/** What serving hands back. */
export interface Serving {
  stop(): void;
}

export interface RemoteTargets {
  /** Runs an import call on the link's provider elsewhere; whatever goes wrong is `failed`, with why. */
  callProvider(link: Link, operation: string, args: unknown[], timeoutMs: number): Promise<RemoteCallOutcome>;
  /** Runs `fn` of the interface an actor elsewhere exports, over the link; a failure is an `err` with its reason. */
  callActor(link: Link, fn: string, args: unknown[], timeoutMs: number): Promise<CallOutcome>;
  /** How a link target elsewhere is; one that does not answer is unhealthy, with why. */
  probe(kind: 'provider' | 'actor', target: string, timeoutMs: number): Promise<ProviderHealth>;
  /** Offers a provider of this host to links from other hosts, for the links this host holds. */
  serveProvider(provider: Provider, linkOf: HeldLinks): Serving;
  /** Offers an actor's exports (and HTTP requests) to links and providers on other hosts. */
  serveActor(actorId: string, interfaces: readonly string[], invoke: (request: ActorRpcRequest) => Promise<unknown>): Serving;
}

/** Whatever can hand a host its remote targets: the lattice's bus is one. */
export interface LatticeAccess {
  readonly remoteTargets: RemoteTargets;
}

/**
 * A JetStream-style object store of the lattice: named objects of any size, each replaced whole
 * (a reader sees the old bytes or the new ones). What a provider's NATS blob backend is built on.
 */
export interface LatticeObjectStore {
  /** When the store was made, in seconds since the epoch. */
  createdAt(): Promise<number>;
  /** The object's bytes; undefined when it does not exist. */
  get(object: string): Promise<Uint8Array | undefined>;
  put(object: string, data: Uint8Array): Promise<void>;
  /** Its size and when it was written (seconds since the epoch); undefined when it does not exist. */
  info(object: string): Promise<{ readonly size: number; readonly modifiedAt: number } | undefined>;
  list(): Promise<string[]>;
  /** Deleting an object that does not exist is not an error. */
  delete(object: string): Promise<void>;
}

/** The lattice's object stores, by name (letters, digits, `_` and `-`: the caller encodes). */
export interface LatticeObjectStores {
  /** Makes the store; false when it existed already. */
  create(name: string): Promise<boolean>;
  /** The store; undefined when there is none of that name. */
  store(name: string): Promise<LatticeObjectStore | undefined>;
  exists(name: string): Promise<boolean>;
  /** Deletes the store and every object in it; false when there was none. */
  destroy(name: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Connects to the lattice's object stores at a NATS URL. */
export type LatticeObjectStoresOpener = (url: string) => Promise<LatticeObjectStores>;

/**
 * A JetStream-style key-value bucket of the lattice, shared by hosts on different machines: what a
 * provider's NATS backend is built on, without importing NATS. Keys are NATS keys (the caller
 * encodes them).
 */
export interface LatticeBucket {
  /** The key's live value (none once deleted) and its revision (0 for a key never written). */
  get(key: string): Promise<{ readonly value?: Uint8Array; readonly revision: number }>;
  put(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): AsyncIterable<string>;
  /**
   * Writes only if the key is still at `revision` (the one `get` saw; 0 for a key never written).
   * False when another writer got there first.
   */
  putIfRevision(key: string, value: Uint8Array, revision: number): Promise<boolean>;
}

export interface LatticeBuckets {
  /** The bucket, made with `replicas` copies if it does not exist; an existing one with another count is refused. */
  bucket(name: string, options?: { readonly replicas?: number }): Promise<LatticeBucket>;
  close(): Promise<void>;
}

/** Connects to the lattice's buckets at a NATS URL. */
export type LatticeBucketsOpener = (url: string) => Promise<LatticeBuckets>;

/** A NATS message as an actor's messaging sees it. */
export interface LatticeMessage {
  readonly subject: string;
  readonly body: Uint8Array;
  readonly replyTo?: string;
}

/**
 * NATS for actors' messages: what the messaging provider is built on, without importing nats.
 * Subjects the lattice keeps for itself (its control, events and RPC, and the server's `$` APIs,
 * where JetStream's buckets could be deleted) are refused by every operation, whoever asks.
 */
export interface LatticeMessaging {
  publish(message: LatticeMessage): void;
  /** The first answer within `timeoutMs`; rejects with why there was none. */
  request(subject: string, body: Uint8Array, timeoutMs: number): Promise<LatticeMessage>;
  /**
   * Hands each message on `subject` to one subscriber of `queue` across the lattice, once the
   * server has the subscription (a message published after this resolves reaches it); the
   * function it resolves to stops it.
   */
  subscribe(subject: string, queue: string, deliver: (message: LatticeMessage) => void): Promise<() => void>;
  close(): Promise<void>;
}

/** Connects to NATS for actors' messages: at `url`, or at the lattice's own servers (as the host joined them) when undefined. */
export type LatticeMessagingOpener = (url: string | undefined) => Promise<LatticeMessaging>;
