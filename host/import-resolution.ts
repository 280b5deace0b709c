/**
 * Which of a component's imports the host can serve, decided at start from the component's own
 * list of imports: an import nothing serves refuses the start, naming the interface, its version
 * and what would serve it, rather than failing at the first call. Pure: no I/O.
 */
import semver from 'semver';

/** How the host serves an interface it gives every actor: for the README's table and the reports. */
export interface AmbientPackage {
  /** `wasi:cli` */
  readonly package: string;
  /** The versions of it the host's implementation fits, as a semver range (`^0.2.0` is every 0.2.x). */
  readonly versions: string;
  /** Each interface it serves (unversioned, without the package), with how. */
  readonly interfaces: Readonly<Record<string, string>>;
}

/**
 * Given to every actor without a claim, because they grant nothing: no file, socket or request
 * leaves the actor through them. `^0.2.0` takes every WASI 0.2.x: the 0.2 line only adds, and
 * jco hands every version of an interface the same host object.
 */
export const AMBIENT_PACKAGES: readonly AmbientPackage[] = [
  {
    package: 'wasi:cli',
    versions: '^0.2.0',
    interfaces: {
      environment: "the actor's config (`start actor --config`, and the config of links to it) as its variables; no arguments",
      exit: 'ends the invocation (`ACTOR_EXITED`; HTTP gets 500), its code logged',
      stdin: 'empty',
      stdout: "the actor's log, a line per write (`stream: \"stdout\"`)",
      stderr: "the actor's log at warn (`stream: \"stderr\"`)",
      'terminal-input': 'no terminal',
      'terminal-output': 'no terminal',
      'terminal-stdin': 'no terminal',
      'terminal-stdout': 'no terminal',
      'terminal-stderr': 'no terminal',
    },
  },
  { package: 'wasi:clocks', versions: '^0.2.0', interfaces: { 'monotonic-clock': "the host's clock", 'wall-clock': "the host's clock" } },
  {
    package: 'wasi:filesystem',
    versions: '^0.2.0',
    interfaces: {
      preopens: 'no preopened directories: an empty filesystem; an actor that claims it (`--cap wasi:filesystem/preopens`) is given a directory by the `filesystem` provider through a link instead',
      types: 'its types (no descriptor can exist without a preopen); served with the preopens',
    },
  },
  {
    package: 'wasi:http',
    versions: '^0.2.0',
    interfaces: {
      types: 'requests and responses, streamed',
      'outgoing-handler': 'every request answers `HTTP-request-denied`; an actor that claims it (`--cap wasi:http/outgoing-handler`) is served by the `http-client` provider through a link instead',
    },
  },
  { package: 'wasi:io', versions: '^0.2.0', interfaces: { error: 'stream errors', poll: 'waits suspend the guest, not the thread', streams: 'bodies and standard streams' } },
  {
    package: 'wasi:random',
    versions: '^0.2.0',
    interfaces: { random: "the operating system's generator", insecure: "the operating system's generator", 'insecure-seed': "the operating system's generator" },
  },
  {
    package: 'wasi:sockets',
    versions: '^0.2.0',
    interfaces: Object.fromEntries(
      ['network', 'instance-network', 'tcp', 'tcp-create-socket', 'udp', 'udp-create-socket', 'ip-name-lookup'].map((name) => [name, 'every operation answers `access-denied`']),
    ),
  },
  { package: 'wasi:logging', versions: '0.1.0-draft', interfaces: { logging: "the host's log, at the host's level or the actor's `--log-level`" } },
  {
    package: 'wasi:config',
    versions: '0.2.0-draft || 0.2.0-rc.1',
    interfaces: { store: "the actor's config (`start actor --config`, and the config of links to it)", runtime: 'the same (its name in 0.2.0-draft)' },
  },
  { package: 'wasmcloud:bus', versions: '1.0.0', interfaces: { lattice: 'chooses among the links an operator made, by link name' } },
];

const AMBIENT = new Map<string, AmbientPackage>(AMBIENT_PACKAGES.flatMap((entry) => Object.keys(entry.interfaces).map((iface) => [`${entry.package}/${iface}`, entry] as const)));

/**
 * Ambient interfaces whose host side only refuses (every outgoing request is denied, the
 * filesystem is empty), which a provider serves for real to an actor whose claims name them: a
 * world that imports one claims it. Each maps to the capability that grants it: wasi:filesystem's
 * types grant nothing without a preopen, so they come with the preopens' claim, and the two are
 * served by the same side, whose descriptors are the ones the types' methods are called on.
 */
const SERVED_WHEN_CLAIMED = new Map([
  ['wasi:http/outgoing-handler', 'wasi:http/outgoing-handler'],
  ['wasi:filesystem/preopens', 'wasi:filesystem/preopens'],
  ['wasi:filesystem/types', 'wasi:filesystem/preopens'],
]);

/** Whether an interface is ambient only as a refusal, and claimed to be served for real. */
export function isServedWhenClaimed(name: string): boolean {
  return SERVED_WHEN_CLAIMED.has(name);
}

/** The capability an actor's claims name to be served `name` for real: itself, or the one it comes with. */
export function claimServing(name: string): string {
  return SERVED_WHEN_CLAIMED.get(name) ?? name;
}

/** Whether an (unversioned) interface is given to every actor without a claim. */
export function isAmbientInterface(name: string): boolean {
  return AMBIENT.has(name);
}

/** An import as the component names it, `ns:pkg/iface@version`, split. */
export function splitImport(imported: string): { readonly name: string; readonly version?: string } {
  const at = imported.indexOf('@');
  return at < 0 ? { name: imported } : { name: imported.slice(0, at), version: imported.slice(at + 1) };
}

/** Whether `version` is one of `range` (a semver range; an unversioned import fits any). */
export function versionFits(version: string | undefined, range: string): boolean {
  if (version === undefined) return true;
  return semver.valid(version) !== null && semver.satisfies(version, range);
}

/** What the host knows of who serves what, beside the ambient packages. */
export interface ServedInterfaces {
  /** What the host's own objects hold for each ambient interface (unversioned): functions and resource classes, as jco spells them. */
  readonly ambientMembers: Readonly<Record<string, readonly string[]>>;
  /** For an interface a provider contract carries: its package's versions, what it gives the guest, and the provider kinds serving it. */
  contract(iface: string): { readonly versions: string; readonly members: readonly string[]; readonly providers: readonly string[] } | undefined;
}

/** What a component imports: from its transpile metadata. */
export interface ImportingComponent {
  readonly importedInterfaces: readonly string[];
  readonly importMembers: Readonly<Record<string, readonly string[]>>;
}

export type ImportResolution =
  | { readonly import: string; readonly servedBy: 'host' }
  | { readonly import: string; readonly servedBy: 'provider'; readonly providers: readonly string[] }
  /** Claimed, with no provider contract: another actor's export, through a link. */
  | { readonly import: string; readonly servedBy: 'link' }
  /** A capability the host has, which the claims do not name or the policy does not allow. */
  | { readonly import: string; readonly servedBy: 'denied'; readonly reason: string }
  | { readonly import: string; readonly servedBy: 'nothing'; readonly reason: string };

/** Resolves every import of a component; `allowed` are the capabilities its claims name and the policy allows. */
export function resolveImports(component: ImportingComponent, served: ServedInterfaces, allowed: readonly string[]): ImportResolution[] {
  return component.importedInterfaces.map((imported) => resolveImport(imported, component.importMembers, served, new Set(allowed)));
}

function resolveImport(imported: string, importMembers: ImportingComponent['importMembers'], served: ServedInterfaces, allowed: ReadonlySet<string>): ImportResolution {
  const { name, version } = splitImport(imported);
  const missing = (has: readonly string[]) => (importMembers[name] ?? []).filter((member) => !has.includes(member));
  const ambient = AMBIENT.get(name);
  const contract = served.contract(name);
  // An ambient interface a provider can serve for real (outgoing HTTP): the provider's, for an
  // actor whose claims name it; the host's refusal-only stand-in for every other.
  if (ambient && !(contract && SERVED_WHEN_CLAIMED.has(name) && allowed.has(claimServing(name)))) {
    if (!versionFits(version, ambient.versions)) {
      return { import: imported, servedBy: 'nothing', reason: `the host serves ${ambient.package} ${ambient.versions}, not ${version}` };
    }
    const absent = missing(served.ambientMembers[name] ?? []);
    if (absent.length > 0) return { import: imported, servedBy: 'nothing', reason: notInStandard(name, absent) };
    return { import: imported, servedBy: 'host' };
  }
  if (contract) {
    if (!versionFits(version, contract.versions)) {
      return { import: imported, servedBy: 'nothing', reason: `the ${contract.providers.join(' or ')} provider serves ${name} ${contract.versions}, not ${version}` };
    }
    const absent = missing(contract.members);
    if (absent.length > 0) return { import: imported, servedBy: 'nothing', reason: notInStandard(name, absent) };
    // An interface of types alone (wasmcloud:messaging/types) grants nothing: it needs no claim.
    if (!allowed.has(claimServing(name)) && contract.members.length > 0) {
      return { import: imported, servedBy: 'denied', reason: `its claims do not name it or the policy does not allow it: sign it with --cap ${claimServing(name)}, and link it to the ${contract.providers.join(' or ')} provider` };
    }
    return { import: imported, servedBy: 'provider', providers: contract.providers };
  }
  if (allowed.has(name)) {
    // The link's proxy forwards function calls; jco spells resource classes with a capital.
    const resources = (importMembers[name] ?? []).filter((member) => /^[A-Z]/.test(member));
    if (resources.length > 0) {
      return {
        import: imported,
        servedBy: 'nothing',
        reason: `it has resources (${resources.join(', ')}), which a link to another actor cannot carry, and no provider kind on this host serves it`,
      };
    }
    return { import: imported, servedBy: 'link' };
  }
  return {
    import: imported,
    servedBy: 'nothing',
    reason: `no provider or host interface serves it: to have another actor's export serve it, sign this actor with --cap ${name} and link it to that actor`,
  };
}

function notInStandard(name: string, absent: readonly string[]): string {
  return `the host's ${name} has no ${absent.join(', ')}: the component was built against another shape of the interface than its standard WIT`;
}

/** The one error a start is refused with, or undefined when every import is served. */
export function importRefusal(resolutions: readonly ImportResolution[]): { readonly code: 'ACTOR_IMPORT_UNSATISFIED' | 'POLICY_CAPABILITY_DENIED'; readonly message: string } | undefined {
  const problems = resolutions.filter((resolution) => resolution.servedBy === 'denied' || resolution.servedBy === 'nothing');
  if (problems.length === 0) return undefined;
  const message = problems.map((problem) => `${problem.import}: ${(problem as { reason: string }).reason}`).join('; ');
  return { code: problems.some((problem) => problem.servedBy === 'nothing') ? 'ACTOR_IMPORT_UNSATISFIED' : 'POLICY_CAPABILITY_DENIED', message };
}

/** The interfaces (unversioned) that cross to the host through links: provider-served and link-served. */
export function routedInterfaces(resolutions: readonly ImportResolution[]): string[] {
  return resolutions.filter((resolution) => resolution.servedBy === 'provider' || resolution.servedBy === 'link').map((resolution) => splitImport(resolution.import).name);
}
