import { contractFor, WitError } from './contracts/index.ts';
import { DEFAULT_LINK_NAME, type Link, type LinkTable } from './links.ts';
import type { Provider } from './provider.ts';

/**
 * What crosses back to the guest: the WIT ok value, or the WIT err value. Never a throw. `reason`
 * explains an err for interfaces that have no error value of their own (actor to actor).
 */
export type CallOutcome = { readonly ok: unknown } | { readonly err: unknown; readonly reason?: string };

/** Whatever a link may point at. */
export interface RouteTargets {
  provider(id: string): Provider | undefined;
  /** Runs `fn` of the interface that actor `id` exports; undefined when no such actor runs. */
  callActor(id: string, iface: string, fn: string, args: unknown[]): Promise<CallOutcome> | undefined;
  /** Runs `fn` of the interface an actor on another host of the lattice exports; undefined when the host is in none. */
  remoteActor?(link: Link, fn: string, args: unknown[]): Promise<CallOutcome> | undefined;
  /** Runs the call on the link's target elsewhere on the lattice; undefined when the host is in none. */
  remoteProvider?(link: Link, operation: string, args: unknown[]): Promise<CallOutcome | undefined> | undefined;
}

/**
 * Resolves each routed import call through the link table and runs it on the linked provider, or
 * on the linked actor for interfaces no contract carries. Whatever goes wrong becomes the
 * interface's own error value: a throw into a StarlingMonkey guest would kill the instance.
 */
export async function routeImportCall(
  links: LinkTable,
  targets: RouteTargets,
  source: string,
  iface: string,
  operation: string,
  args: unknown[],
  linkName = DEFAULT_LINK_NAME,
): Promise<CallOutcome> {
  const carrier = contractFor(iface);
  const link: Link | undefined = links.resolve(source, iface, linkName);
  if (!carrier) {
    // Actor to actor: the interface is the target's export, and has no error of its own to give.
    if (!link) return { err: undefined, reason: `no link for ${iface} from ${source} (link name "${linkName}"); add one with badger link put` };
    return (
      targets.callActor(link.target, iface, operation, args) ??
      targets.remoteActor?.(link, operation, args) ?? { err: undefined, reason: `the link for ${iface} points at ${link.target}, which is not running` }
    );
  }
  const { name, contract } = carrier;
  if (!link) {
    return { err: contract.notLinked(`no link for ${iface} from ${source} (link name "${linkName}"); add one with badger link put`) };
  }
  const handler = targets.provider(link.target)?.[name];
  if (!handler) {
    // Not here: perhaps on another host of the lattice.
    const remote = await targets.remoteProvider?.(link, operation, args);
    if (remote) return remote;
    return { err: contract.notLinked(`the link for ${iface} points at ${link.target}, which is not running or does not serve it`) };
  }
  try {
    return { ok: await contract.dispatch(handler, iface, operation, args, link) };
  } catch (error) {
    return { err: error instanceof WitError ? error.value : contract.failed(`${link.target}: ${(error as Error)?.message ?? String(error)}`) };
  }
}
