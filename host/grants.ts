import type { PolicyDenial } from './policy.ts';

// Exports the host drives from outside (a provider sends them requests): offering one is a
// capability like any import, which the claims must name and the policy may narrow.
const CLAIMED_EXPORTS: ReadonlySet<string> = new Set(['wasi:http/incoming-handler', 'wasmcloud:messaging/handler']);

export function isClaimedExport(name: string): boolean {
  return CLAIMED_EXPORTS.has(name);
}

/**
 * Pure: of a component's exports, the ones it may offer: every export that needs no claim, and
 * the driven ones its allowed capabilities name.
 */
export function offeredExports(exported: readonly string[], allowedCapabilities: readonly string[]): string[] {
  return exported.filter((name) => !isClaimedExport(name) || allowedCapabilities.includes(name));
}

/** Pure: why a link that drives `iface` of an actor exporting `exported` is refused, or undefined. */
export function exportDenial(actorId: string, iface: string, exported: readonly string[], offered: readonly string[]): PolicyDenial | undefined {
  if (!exported.includes(iface) || offered.includes(iface)) return undefined;
  return {
    code: 'POLICY_CAPABILITY_DENIED',
    reason: `actor ${actorId} exports ${iface}, which its claims do not name or the policy does not allow: sign it with --cap ${iface}`,
  };
}
