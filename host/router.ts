import { WitError, type Contract } from './contract.ts';
import { DEFAULT_LINK_NAME, type Link, type LinkTable } from './links.ts';
import type { Provider } from './provider.ts';

/**
 * What crosses back to the guest: the WIT ok value, or the WIT err value. Never a throw. `reason`
 * explains an err for interfaces that have no error value of their own (actor to actor). `keep`:
 * the actor's thread may answer the same read again itself (see Contract.keptReads).
 */
export type CallOutcome = { readonly ok: unknown; readonly keep?: true } | { readonly err: unknown; readonly reason?: string };

/** What a provider elsewhere answered: a WIT value, or a failure for the contract to put in its own error. */
export type RemoteCallOutcome = { readonly ok: unknown } | { readonly err: unknown } | { readonly failed: string };

/** Whatever a link may point at. */
export interface RouteTargets {
  /** The contract that carries an interface; none: the interface is another actor's export. */
  contractFor(iface: string): Contract<never> | undefined;
  provider(id: string): Provider | undefined;
  /** Runs `fn` of the interface that actor `id` exports; undefined when no such actor runs. */
  callActor(id: string, iface: string, fn: string, args: unknown[]): Promise<CallOutcome> | undefined;
  /** Runs `fn` of the interface an actor on another host of the lattice exports; undefined when the host is in none. */
  remoteActor?(link: Link, fn: string, args: unknown[]): Promise<CallOutcome> | undefined;
  /** Runs the call on the link's target elsewhere on the lattice; undefined when the host is in none. */
  remoteProvider?(link: Link, operation: string, args: unknown[]): Promise<RemoteCallOutcome> | undefined;
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
  const contract = targets.contractFor(iface);
  const link: Link | undefined = links.resolve(source, iface, linkName);
  if (!contract) {
    // Actor to actor: the interface is the target's export, and has no error of its own to give.
    if (!link) return { err: undefined, reason: `no link for ${iface} from ${source} (link name "${linkName}"); add one with badger link put` };
    return (
      targets.callActor(link.target, iface, operation, args) ??
      targets.remoteActor?.(link, operation, args) ?? { err: undefined, reason: `the link for ${iface} points at ${link.target}, which is not running` }
    );
  }
  if (!link) {
    return { err: contract.notLinked(`no link for ${iface} from ${source} (link name "${linkName}"); add one with badger link put`) };
  }
  const provider = targets.provider(link.target);
  const handler = handlerOf(provider, contract);
  if (handler === undefined) {
    // Not here: perhaps on another host of the lattice.
    // Rebuilt, not passed on: no answer from elsewhere is ever kept, whatever the peer put in it.
    const remote = await targets.remoteProvider?.(link, operation, args);
    if (remote) return 'failed' in remote ? { err: contract.failed(remote.failed) } : 'ok' in remote ? { ok: remote.ok } : { err: remote.err };
    return { err: contract.notLinked(`the link for ${iface} points at ${link.target}, which is not running or does not serve it`) };
  }
  const outcome = await runContract(contract, handler, iface, operation, args, link);
  const kept = 'ok' in outcome && contract.keptReads?.includes(`${iface}#${operation}`) === true && provider!.keepsReads?.(link) === true;
  return kept ? { ok: outcome.ok, keep: true } : outcome;
}

/** The handler a provider serves a contract with, if it serves it. */
function handlerOf(provider: Provider | undefined, contract: Contract<never>): unknown {
  const served = provider?.serves;
  if (!served) return undefined;
  for (const entry of served) if (entry.contract === contract) return entry.handler;
  return undefined;
}

/** Runs one call on a provider's handler: the ok value, or the interface's own error value. */
export async function runContract(contract: Contract<never>, handler: unknown, iface: string, operation: string, args: unknown[], link: Link): Promise<CallOutcome> {
  try {
    const running = contract.dispatch(handler as never, iface, operation, args, link);
    if (!running) {
      const message = `${iface} has no function ${operation}`;
      return { err: contract.noSuchFunction?.(message) ?? contract.failed(message) };
    }
    return { ok: await running };
  } catch (error) {
    return { err: error instanceof WitError ? error.value : contract.failed(`${link.target}: ${(error as Error)?.message ?? String(error)}`) };
  }
}
