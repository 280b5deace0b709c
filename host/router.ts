import { contractFor, WitError } from './contracts/index.ts';
import { DEFAULT_LINK_NAME, type Link, type LinkTable } from './links.ts';
import type { Provider } from './provider.ts';

/** What crosses back to the guest: the WIT ok value, or the WIT err value. Never a throw. */
export type CallOutcome = { readonly ok: unknown } | { readonly err: unknown };

/**
 * Resolves each routed import call through the link table and runs it on the linked provider.
 * Whatever goes wrong becomes the interface's own error value: a throw into a StarlingMonkey guest
 * would kill the instance.
 */
export async function routeImportCall(
  links: LinkTable,
  providers: ReadonlyMap<string, Provider>,
  source: string,
  iface: string,
  operation: string,
  args: unknown[],
): Promise<CallOutcome> {
  const carrier = contractFor(iface);
  if (!carrier) return { err: undefined };
  const { name, contract } = carrier;
  const link: Link | undefined = links.resolve(source, iface, DEFAULT_LINK_NAME);
  if (!link) {
    return { err: contract.notLinked(`no link for ${iface} from ${source} (link name "${DEFAULT_LINK_NAME}"); add one with badger link put`) };
  }
  const handler = providers.get(link.target)?.[name];
  if (!handler) {
    return { err: contract.notLinked(`the link for ${iface} points at ${link.target}, which is not running or does not serve it`) };
  }
  try {
    return { ok: await contract.dispatch(handler, iface, operation, args, link) };
  } catch (error) {
    return { err: error instanceof WitError ? error.value : contract.failed(`${link.target}: ${(error as Error)?.message ?? String(error)}`) };
  }
}
