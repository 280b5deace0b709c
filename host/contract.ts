import type { Link } from './links.ts';

/**
 * A guest's call into a routed interface, as it crosses from the actor's worker to the host. It
 * blocks the worker until the host answers, and returns the WIT `ok` value or throws `{ payload }`,
 * the WIT `err` value, which jco hands to the guest as the function's error result.
 */
export type RoutedCall = (iface: string, operation: string, args: unknown[]) => unknown;

/**
 * How one family of WIT interfaces is carried between an actor and whatever serves it. A contract
 * lives in a module of its own, in its provider's folder, that exports it as `contract`: an actor's
 * thread imports that module for the guest side. So the module imports only types (`import type`)
 * from the host, and stays cheap to load in every thread.
 */
export interface Contract<Handler> {
  /** The URL of the module that exports this contract as `contract` (its `import.meta.url`). */
  readonly module: string;
  /** The WIT package it carries (`wasi:keyvalue`), and the versions of it the guest side fits (`0.2.0-draft`, `^0.2.0`). */
  readonly package: string;
  readonly versions: string;
  /** The package's interfaces it carries, unversioned, as jco keys imports. */
  readonly interfaces: readonly string[];
  /** `interface#function` names that may suspend the guest (JSPI), for providers that run in the actor's thread. */
  readonly asyncImports: readonly string[];
  /**
   * `interface#function` names whose success depends only on the link and the arguments (strings),
   * such as opening a key-value bucket: an actor's thread remembers such a success and answers the
   * same call again itself, until a link or a provider changes anywhere in the host. A failure is
   * never remembered.
   */
  readonly rememberedImports?: readonly string[];
  /**
   * `interface#function` names of reads (arguments all strings) whose answer an actor's thread may
   * keep and give again itself, when the provider says so for the link (`Provider.keepsReads`):
   * until a link or a provider changes, or the provider calls `forgetKeptReads`. A read answered
   * in the actor's own thread costs no crossing at all.
   */
  readonly keptReads?: readonly string[];
  /** The import objects for the actor's worker, forwarding every call through `call`. */
  guestImports(call: RoutedCall): Record<string, Record<string, unknown>>;
  /**
   * Runs one forwarded call on the target's handler. Resolves to the ok value; rejects with WitError
   * for err. Undefined when the interface has no such function (a call from a rogue peer).
   */
  dispatch(handler: Handler, iface: string, operation: string, args: unknown[], link: Link): Promise<unknown> | undefined;
  /** The interface's own error value for a call that has nowhere to go. */
  notLinked(message: string): unknown;
  /** The interface's own error value for a provider failure that did not choose one. */
  failed(message: string): unknown;
  /** The interface's own error value for a function it does not have; `failed` when not given. */
  noSuchFunction?(message: string): unknown;
}

/** A contract and the handler a provider serves it with. */
export interface Served {
  readonly contract: Contract<never>;
  readonly handler: unknown;
}

/** Pairs a handler with its contract, checked against the contract's handler type. */
export function serving<Handler>(contract: Contract<Handler>, handler: Handler): Served {
  return { contract: contract as Contract<never>, handler };
}

/** Thrown by a provider to answer with a specific WIT error value. */
export class WitError extends Error {
  readonly value: unknown;

  constructor(value: unknown, message = `WIT error ${JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? String(v) : v))}`) {
    super(message);
    this.name = 'WitError';
    this.value = value;
  }
}
