import type { ProviderKind } from '../host/index.ts';

/** What `badger dev` links an actor to, decided from the capabilities its claims name. Pure. */
export interface DevPlan {
  /** Each imported interface a development provider serves, with the provider kind that serves it. */
  readonly links: readonly { readonly interface: string; readonly kind: string }[];
  /** The kind that drives an export of the actor (the HTTP server), with the export. */
  readonly driven: readonly { readonly interface: string; readonly kind: string }[];
  /** Claimed interfaces no provider kind serves: another actor's export would, linked by hand. */
  readonly unserved: readonly string[];
}

export function devPlan(capabilities: readonly string[], kinds: readonly ProviderKind[]): DevPlan {
  const links: { interface: string; kind: string }[] = [];
  const driven: { interface: string; kind: string }[] = [];
  const unserved: string[] = [];
  for (const capability of capabilities) {
    const serving = kinds.find((kind) => kind.interfaces.some((served) => served.name === capability));
    const driving = kinds.find((kind) => kind.drives.some((driven) => driven.name === capability));
    if (serving) links.push({ interface: capability, kind: serving.name });
    else if (driving) driven.push({ interface: capability, kind: driving.name });
    else unserved.push(capability);
  }
  return { links, driven, unserved };
}

/** The provider kinds a plan needs started, each once. */
export function kindsToStart(plan: DevPlan): string[] {
  return [...new Set([...plan.links, ...plan.driven].map((link) => link.kind))];
}
