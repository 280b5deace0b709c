import type { ControlRequest, Link } from '../host/index.ts';
import type { HostSummary } from '../host/lattice/index.ts';
import type { AppSpec, ComponentSpec, Placement, SpreadTarget } from './manifest.ts';

/**
 * The reconciler's decisions, pure: from what an application wants and what the lattice runs, the
 * control operations that close the gap, each addressed to a host. The loop around it does the I/O.
 */

/** What the lattice runs now: its live hosts, and its links (every host sees every link). */
export interface ObservedLattice {
  readonly hosts: readonly HostSummary[];
  readonly links: readonly Link[];
}

export interface PlannedAction {
  readonly host: string;
  readonly request: ControlRequest;
}

export interface Plan {
  readonly actions: readonly PlannedAction[];
  /** Why part of the application cannot be placed now (no host matches, an unreadable image). */
  readonly problems: readonly string[];
}

/** An actor component's id (its image's claims' subject), or why its image could not be read. */
export type ActorIdentity = { readonly id: string } | { readonly unreadable: string };

/**
 * `identities` holds each actor component's identity. With `deployed` false, the plan takes
 * everything the application owns away.
 */
export function planApplication(app: AppSpec, identities: Readonly<Record<string, ActorIdentity>>, observed: ObservedLattice, deployed = true): Plan {
  const problems: string[] = [];
  const actorIds: Record<string, string> = {};
  for (const [name, identity] of Object.entries(identities)) {
    if ('id' in identity) actorIds[name] = identity.id;
    else problems.push(`${name}: ${identity.unreadable}`);
  }
  const ownedActors = new Set(Object.values(actorIds));
  const ownedProviders = new Set(app.components.filter((component) => component.kind === 'provider').map((component) => component.name));
  const load = new Map(observed.hosts.map((host) => [host.id, host.actors.length + host.providers.length]));

  // Desired: (host, actor) → max instances, and (host, provider).
  const wantedActors = new Map<string, { host: string; actorId: string; component: Extract<ComponentSpec, { kind: 'actor' }>; maxInstances: number }>();
  const wantedProviders = new Map<string, { host: string; component: Extract<ComponentSpec, { kind: 'provider' }> }>();
  if (deployed) {
    for (const component of app.components) {
      if (component.kind === 'actor') {
        const actorId = actorIds[component.name];
        if (!actorId) continue;
        const runsOn = (host: HostSummary) => host.actors.some((actor) => actor.id === actorId);
        for (const [host, count] of place(component.placement, observed.hosts, runsOn, load, 'together', component.name, problems)) {
          const key = `${host}\u0000${actorId}`;
          const before = wantedActors.get(key)?.maxInstances ?? 0;
          wantedActors.set(key, { host, actorId, component, maxInstances: before + count });
        }
      } else {
        const runsOn = (host: HostSummary) => host.providers.some((provider) => provider.id === component.name);
        for (const [host] of place(component.placement, observed.hosts, runsOn, load, 'apart', component.name, problems)) {
          wantedProviders.set(`${host}\u0000${component.name}`, { host, component });
        }
      }
    }
  }

  const actions: PlannedAction[] = [];
  // Links first on the way out (while their actors still run), last on the way in.
  const linkActions = planLinks(app, actorIds, observed, deployed, ownedActors);
  if (!deployed) actions.push(...linkActions);
  for (const host of observed.hosts) {
    for (const actor of host.actors) {
      if (!ownedActors.has(actor.id)) continue;
      const wanted = wantedActors.get(`${host.id}\u0000${actor.id}`);
      if (!wanted) actions.push({ host: host.id, request: { op: 'stop-actor', actor: actor.id } });
      else if (wanted.maxInstances !== actor.maxInstances) actions.push({ host: host.id, request: { op: 'scale-actor', actor: actor.id, maxInstances: wanted.maxInstances } });
    }
    for (const provider of host.providers) {
      if (ownedProviders.has(provider.id) && !wantedProviders.has(`${host.id}\u0000${provider.id}`)) actions.push({ host: host.id, request: { op: 'stop-provider', id: provider.id } });
    }
  }
  for (const { host, actorId, component, maxInstances } of wantedActors.values()) {
    const running = observed.hosts.find((summary) => summary.id === host)?.actors.some((actor) => actor.id === actorId);
    if (!running) actions.push({ host, request: { op: 'start-actor', location: component.image, maxInstances, config: { ...component.config } } });
  }
  for (const { host, component } of wantedProviders.values()) {
    const running = observed.hosts.find((summary) => summary.id === host)?.providers.some((provider) => provider.id === component.name);
    if (!running) actions.push({ host, request: { op: 'start-provider', kind: component.providerKind, id: component.name } });
  }
  if (deployed) actions.push(...linkActions);
  return { actions, problems };
}

/** Pure: splits `total` by weight, largest remainders first, so the parts add up to it. */
export function shares(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((weight) => (total * weight) / sum);
  const parts = exact.map(Math.floor);
  const order = exact.map((value, index) => [value - Math.floor(value), index] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let left = total - parts.reduce((a, b) => a + b, 0), i = 0; left > 0; left--, i++) parts[order[i % order.length]![1]]!++;
  return parts;
}

/**
 * Hosts for one component, with how many instances each. An actor's share of a spread entry runs
 * together on one host; a provider's share is that many hosts apart. A host already running the
 * component is kept; otherwise the least loaded matching host is taken.
 */
function place(
  placement: Placement,
  hosts: readonly HostSummary[],
  runsOn: (host: HostSummary) => boolean,
  load: Map<string, number>,
  shape: 'together' | 'apart',
  name: string,
  problems: string[],
): Map<string, number> {
  const placed = new Map<string, number>();
  const matching = (target: SpreadTarget) => hosts.filter((host) => Object.entries(target.requirements).every(([key, value]) => host.labels[key] === value));
  const unmatched = (target: SpreadTarget) => {
    const wanted = Object.entries(target.requirements).map(([key, value]) => `${key}=${value}`).join(', ');
    problems.push(`${name}: no host ${wanted ? `has ${wanted}` : 'is in the lattice'}`);
  };
  if (placement.type === 'daemon') {
    for (const target of placement.spread) {
      const candidates = matching(target);
      if (candidates.length === 0) unmatched(target);
      for (const host of candidates) placed.set(host.id, shape === 'together' ? placement.instances : 1);
    }
    return placed;
  }
  const parts = shares(placement.instances, placement.spread.map((target) => target.weight));
  placement.spread.forEach((target, index) => {
    const share = parts[index]!;
    if (share === 0) return;
    const candidates = [...matching(target)].sort(
      (a, b) => Number(runsOn(b)) - Number(runsOn(a)) || (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || a.id.localeCompare(b.id),
    );
    if (candidates.length === 0) return unmatched(target);
    const chosen = shape === 'together' ? [candidates[0]!] : candidates.slice(0, share);
    for (const host of chosen) {
      placed.set(host.id, (placed.get(host.id) ?? 0) + (shape === 'together' ? share : 1));
      if (!runsOn(host)) load.set(host.id, (load.get(host.id) ?? 0) + 1);
    }
  });
  return placed;
}

/** Links to put (on a host that runs their source actor) and to delete, as the application wants. */
function planLinks(app: AppSpec, actorIds: Readonly<Record<string, string>>, observed: ObservedLattice, deployed: boolean, ownedActors: ReadonlySet<string>): PlannedAction[] {
  const targetId = (name: string) => (app.components.find((component) => component.name === name)?.kind === 'provider' ? name : actorIds[name]);
  const keyOf = (source: string, iface: string, name: string) => `${source}\u0000${iface}\u0000${name}`;
  const wanted = new Map<string, Link>();
  if (deployed) {
    for (const spec of app.links) {
      const source = actorIds[spec.source];
      const target = targetId(spec.target);
      if (source && target) wanted.set(keyOf(source, spec.interface, spec.name), { source, target, interface: spec.interface, name: spec.name, config: spec.config });
    }
  }
  const hostRunning = (actorId: string) => observed.hosts.find((host) => host.actors.some((actor) => actor.id === actorId))?.id;
  const anyHost = observed.hosts[0]?.id;
  const actions: PlannedAction[] = [];
  for (const link of observed.links) {
    if (!ownedActors.has(link.source) || wanted.has(keyOf(link.source, link.interface, link.name)) || !anyHost) continue;
    actions.push({ host: hostRunning(link.source) ?? anyHost, request: { op: 'del-link', source: link.source, interface: link.interface, name: link.name } });
  }
  for (const [key, link] of wanted) {
    const present = observed.links.find((candidate) => keyOf(candidate.source, candidate.interface, candidate.name) === key);
    if (present && present.target === link.target && sameConfig(present.config, link.config)) continue;
    // A link is put where its actor runs; until it runs somewhere, the link waits.
    const host = hostRunning(link.source);
    if (host) actions.push({ host, request: { op: 'put-link', source: link.source, target: link.target, interface: link.interface, name: link.name, config: { ...link.config } } });
  }
  return actions;
}

function sameConfig(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
