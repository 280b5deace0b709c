import type { PolicyDenial } from './policy.ts';

// Given to every actor without a claim: logs (to the host's log, under the actor's id), its own
// link config, clocks, randomness, and the plumbing types that come with granted interfaces.
// stderr is where the JS engine reports uncaught errors; it goes to the actor's log too, as does
// stdout. The other command-line interfaces of the wasi:http/proxy world are given empty.
// wasi:http/outgoing-handler is imported by StarlingMonkey whenever its HTTP feature is on (an
// actor that exports its own HTTP handler needs it), even if the actor never sends a request:
// it is given, and refuses every request with HTTP-request-denied.
const AMBIENT: readonly RegExp[] = [
  /^wasi:logging\/logging$/,
  /^wasi:config\/store$/,
  /^wasi:clocks\//,
  /^wasi:random\//,
  /^wasi:io\//,
  /^wasi:http\/types$/,
  /^wasi:http\/outgoing-handler$/,
  /^wasi:cli\/(stdin|stdout|stderr|environment|exit|terminal-(input|output|stdin|stdout|stderr))$/,
  // Chooses among the links an operator made; it reaches nothing they did not link.
  /^wasmcloud:bus\/lattice$/,
];

export function isAmbientInterface(name: string): boolean {
  return AMBIENT.some((pattern) => pattern.test(name));
}

export type GrantPlan =
  | { readonly allowed: true; readonly ambient: readonly string[]; readonly routed: readonly string[] }
  | { readonly allowed: false; readonly denials: readonly PolicyDenial[] };

/**
 * Maps each import a component declares: ambient ones are given, claimed-and-allowed ones are
 * routed through links, and anything else refuses the start, naming the interface.
 */
export function planGrants(declaredImports: readonly string[], allowedCapabilities: readonly string[]): GrantPlan {
  const allowed = new Set(allowedCapabilities);
  const ambient: string[] = [];
  const routed: string[] = [];
  const denials: PolicyDenial[] = [];
  for (const name of declaredImports) {
    if (isAmbientInterface(name)) ambient.push(name);
    else if (allowed.has(name)) routed.push(name);
    else denials.push({ code: 'POLICY_CAPABILITY_DENIED', reason: `the component imports ${name}, which its claims do not name or the policy does not allow` });
  }
  return denials.length > 0 ? { allowed: false, denials } : { allowed: true, ambient, routed };
}

// Exports the host drives from outside (a provider sends them requests): offering one is a
// capability like any import, which the claims must name and the policy may narrow.
const CLAIMED_EXPORTS: ReadonlySet<string> = new Set(['wasi:http/incoming-handler']);

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
