import type { Link } from '../links.ts';

/**
 * A guest's call into a routed interface, as it crosses from the actor's worker to the host. It
 * blocks the worker until the host answers, and returns the WIT `ok` value or throws `{ payload }`,
 * the WIT `err` value, which jco hands to the guest as the function's error result.
 */
export type RoutedCall = (iface: string, operation: string, args: unknown[]) => unknown;

/** How one family of WIT interfaces is carried between an actor and whatever serves it. */
export interface Contract<Handler> {
  readonly interfaces: readonly string[];
  /** `interface#function` names that may suspend the guest (JSPI), for providers that run in the actor's thread. */
  readonly asyncImports: readonly string[];
  /** The import objects for the actor's worker, forwarding every call through `call`. */
  guestImports(call: RoutedCall): Record<string, Record<string, unknown>>;
  /** Runs one forwarded call on the target's handler. Resolves to the ok value; throws WitError for err. */
  dispatch(handler: Handler, iface: string, operation: string, args: unknown[], link: Link): Promise<unknown>;
  /** The interface's own error value for a call that has nowhere to go. */
  notLinked(message: string): unknown;
  /** The interface's own error value for a provider failure that did not choose one. */
  failed(message: string): unknown;
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
