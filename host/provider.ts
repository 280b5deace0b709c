import type { Logger } from 'pino';
import type { ListenSpec } from './http-ingress/index.ts';
import type { Contract, Served } from './contract.ts';
import type { Link } from './links.ts';
import type { CallOutcome } from './router.ts';
import type { LatticeBucketsOpener, LatticeMessagingOpener, LatticeObjectStoresOpener } from './remote-targets.ts';

export interface ProviderHealth {
  readonly healthy: boolean;
  readonly message?: string;
}

/** An address an actor's own threads listen on; closing it drains the requests in flight. */
export interface HttpServing {
  /** `handover`: another listener serves the address now, so clients are let go gently (see WorkerListener#close). */
  close(options?: { readonly handover?: boolean }): Promise<void>;
}

/** What the host offers a provider that serves actors' exports rather than their imports. */
export interface ProviderHost {
  /**
   * Has every worker of the actor listen on `spec` (SO_REUSEPORT) and serve its requests in that
   * thread: no hop through the host's thread per request.
   */
  serveHttp(actorId: string, spec: ListenSpec): Promise<HttpServing>;
  /**
   * Whether `callExport` can reach the actor now: on a host, whether it runs there (a provider that
   * would take work for an actor elsewhere must not); standalone on a lattice, always.
   */
  reaches(actorId: string): boolean;
  /**
   * Calls `fn` of an interface the actor exports and offers (one its claims name, for a driven
   * export): its WIT value as `ok` or `err`, or `err` undefined with the reason it failed (a trap,
   * a deadline, an actor that does not run).
   */
  callExport(actorId: string, iface: string, fn: string, args: readonly unknown[]): Promise<CallOutcome>;
  /** The host's log, for what a provider notices that no caller hears of (a message nobody handled). */
  readonly logger: Logger;
}

/**
 * A named service a provider answers beside its interfaces, for tools rather than actors: a
 * display's `snapshot`, say. The request arrives from another process (the control socket, the
 * lattice), so the service checks it. Undefined means "nothing here for that request".
 */
export type ProviderService = (request: unknown) => unknown;

// One subject token that no interface (with ':' and '/') can be.
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Whether a provider may call a named service so: `health` is the host's own. */
export function isServiceName(name: string): boolean {
  return SERVICE_NAME.test(name) && name !== 'health';
}

/**
 * A running capability provider: the host side of one or more WIT interfaces. It serves each
 * contract it lists, hears about links to it, and reports its health. Every method may be async:
 * the actor waits while the provider works.
 */
export interface Provider {
  /** The instance id that links name as their target. */
  readonly id: string;
  readonly name: string;
  /** The contracts it serves actors' imports by, each with its handler. */
  readonly serves?: readonly Served[];
  /** Its named services, by name (`[a-z][a-z0-9-]*`; `health` is the host's). */
  readonly services?: Readonly<Record<string, ProviderService>>;
  /** Called once, when the host starts the provider, before any link reaches it. */
  attach?(host: ProviderHost): void;
  linkPut?(link: Link): void | Promise<void>;
  linkDel?(link: Link): void | Promise<void>;
  /**
   * The config of a link it holds as it took effect, where that differs from what was asked: the
   * address an HTTP link bound when it asked for port 0. Listings show it beside the link's config.
   */
  linkInEffect?(link: Link): Readonly<Record<string, string>> | undefined;
  health?(): ProviderHealth | Promise<ProviderHealth>;
  shutdown?(): void | Promise<void>;
  /**
   * Whether actors' threads may keep what this link's reads answered (the contract's `keptReads`).
   * Only when every write to the store behind the link passes through this provider, which then
   * calls `forgetKeptReads()` once each write has settled: a store that others write too (over
   * the network) must say no.
   */
  keepsReads?(link: Link): boolean;
}

/** A WIT interface by name and the versions of it a provider fits, such as `wasi:http/incoming-handler` `^0.2.0`. */
export interface WitInterface {
  readonly name: string;
  readonly versions: string;
}

/** One key of a provider's link config, for `badger provider kinds` and the docs. */
export interface LinkConfigKey {
  /** The key, or its pattern (`bucket.<identifier>`). */
  readonly key: string;
  readonly meaning: string;
  readonly default?: string;
}

/** What a host hands a provider it starts by kind. */
export interface ProviderContext {
  /** The instance id links will name; the provider picks its own when absent. */
  readonly id?: string;
  /** A directory of its own, for what it keeps between runs. */
  readonly dataDir: string;
  /** Publishes an event of its own (a display's frames), beside the host's. */
  publish(type: string, data: unknown): void;
  /** Opens the lattice's shared buckets at a NATS URL, where the host was built with a lattice. */
  readonly latticeBuckets?: LatticeBucketsOpener;
  /** Opens the lattice's object stores at a NATS URL, where the host was built with a lattice. */
  readonly latticeObjectStores?: LatticeObjectStoresOpener;
  /** Connects to NATS for actors' messages, where the host was built with a lattice. */
  readonly latticeMessaging?: LatticeMessagingOpener;
}

/**
 * What a provider module exports so that a host can route to it and start it by name, as
 * wasmCloud's host takes plugins: the host core names no capability, it registers descriptors.
 */
export interface ProviderDescriptor {
  /** Its kind: `badger start provider <name>`, and the default instance id. */
  readonly name: string;
  /** One line on what it does. */
  readonly summary: string;
  /** How each family of interfaces it serves to actors' imports crosses. */
  readonly contracts: readonly Contract<never>[];
  /** Actors' exports it calls (an HTTP server calls `wasi:http/incoming-handler`). */
  readonly drives?: readonly WitInterface[];
  readonly linkConfig: readonly LinkConfigKey[];
  /** Its named services, with what each answers. */
  readonly services?: Readonly<Record<string, string>>;
  /**
   * Why it cannot run standalone, apart from the actors it serves (`badger provider run`): a
   * provider whose work happens in the actor's own host, such as a directory of that machine.
   */
  readonly onlyBesideItsActors?: string;
  create(context: ProviderContext): Provider;
}

/** A provider's own health report; one that cannot answer is unhealthy, with why. */
export async function reportedHealth(provider: Provider): Promise<ProviderHealth> {
  try {
    return (await provider.health?.()) ?? { healthy: true };
  } catch (error) {
    return { healthy: false, message: (error as Error)?.message ?? String(error) };
  }
}
