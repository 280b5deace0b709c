import type { IncomingRequestParts } from '../wasi/index.ts';
import { HostError } from '../errors.ts';
import { isRefusal, parseRequest } from './control-schema.ts';
import type { ComponentClaims } from '../../claims/index.ts';
import type { ActorSummary, Host } from '../host.ts';
import type { LogLevel } from '../log-levels.ts';
import type { Link } from '../links.ts';
import type { LinkConfigKey, ProviderContext, ProviderDescriptor, ProviderHealth, WitInterface } from '../provider.ts';

/** A provider as one host lists it: its id and name (the lattice's ProviderSummary says more). */
export interface ProviderRef {
  readonly id: string;
  readonly name: string;
}

/** The host's control operations: one typed request, one typed response, whatever the transport. */
export type ControlRequest =
  | { readonly op: 'ping' }
  | {
      readonly op: 'start-actor';
      readonly location: string;
      readonly maxInstances?: number;
      readonly deadlineMs?: number;
      readonly queueLimit?: number;
      readonly memoryLimitMb?: number;
      readonly logLevel?: LogLevel;
      readonly config?: Record<string, string>;
      readonly isolated?: boolean;
      readonly idleMs?: number;
    }
  | { readonly op: 'update-actor'; readonly location: string }
  | { readonly op: 'stop-actor'; readonly actor: string }
  | { readonly op: 'scale-actor'; readonly actor: string; readonly maxInstances: number }
  | { readonly op: 'put-link'; readonly source: string; readonly target: string; readonly interface: string; readonly name?: string; readonly config?: Record<string, string> }
  | { readonly op: 'del-link'; readonly source: string; readonly interface: string; readonly name?: string }
  | { readonly op: 'query-links' }
  | { readonly op: 'start-provider'; readonly kind: string; readonly id?: string }
  | { readonly op: 'stop-provider'; readonly id: string }
  | { readonly op: 'get-inventory' }
  | { readonly op: 'get-claims' }
  | { readonly op: 'provider-kinds' }
  | { readonly op: 'provider-service'; readonly service: string; readonly provider?: string; readonly request?: unknown }
  | { readonly op: 'call'; readonly actor: string; readonly function: string; readonly args: unknown[] }
  | { readonly op: 'shutdown' }
  | { readonly op: 'app-deploy'; readonly manifest: string }
  | { readonly op: 'app-undeploy'; readonly name: string }
  | { readonly op: 'app-list' }
  | { readonly op: 'app-status'; readonly name: string };

export type ApplicationState = 'deployed' | 'reconciling' | 'failed' | 'undeploying';

/** What `badger app` shows of one application; the reconciler (outside `host/`) keeps it. */
export interface ApplicationStatus {
  readonly name: string;
  readonly version: string;
  readonly state: ApplicationState;
  /** Why it is not deployed yet, or failed: one line each. */
  readonly reasons: readonly string[];
  readonly updatedAt: string;
}

/** Declarative applications, as the host offers them (the reconciler and its store live outside `host/`). */
export interface ApplicationControl {
  deploy(manifest: string): Promise<ApplicationStatus>;
  undeploy(name: string): Promise<ApplicationStatus>;
  list(): Promise<ApplicationStatus[]>;
  status(name: string): Promise<ApplicationStatus>;
}

export type ControlOp = ControlRequest['op'];
export type ControlRequestOf<Op extends ControlOp> = Extract<ControlRequest, { readonly op: Op }>;

/** What a host answered `badger call … wasi:http/incoming-handler.handle` with. */
export interface CalledHttpResponse {
  readonly status: number;
  readonly headers: [string, string][];
  readonly body: string;
}

/** A provider kind a host can start, as its descriptor declares it. */
export interface ProviderKind {
  readonly name: string;
  readonly summary: string;
  /** The interfaces it serves to actors' imports, with the versions it fits. */
  readonly interfaces: readonly WitInterface[];
  /** Actors' exports it calls. */
  readonly drives: readonly WitInterface[];
  readonly linkConfig: readonly LinkConfigKey[];
  readonly services: Readonly<Record<string, string>>;
}

/** The inventory of one host: what runs, with each provider's and link's health. */
export interface HostInventory {
  readonly labels: Readonly<Record<string, string>>;
  readonly startedAt: string;
  readonly actors: ActorSummary[];
  readonly providers: (ProviderRef & { readonly health: ProviderHealth | undefined })[];
  readonly links: (Link & { readonly health: ProviderHealth })[];
}

/** The answer to each operation, by op: what a ControlClient's `request` resolves to. */
export interface ControlReplies {
  /**
   * Who the host is. Both transports give its labels; the local socket adds its start, its
   * readiness and how many actors it runs, the lattice answers with the host's summary instead.
   */
  ping: { readonly labels: Readonly<Record<string, string>>; readonly startedAt?: string; readonly ready?: boolean; readonly actors?: number | readonly unknown[] };
  'start-actor': ActorSummary;
  'update-actor': ActorSummary;
  'stop-actor': { readonly stopped: string };
  'scale-actor': ActorSummary;
  'put-link': Link;
  'del-link': Link;
  /** With what each link's provider actually does with it (the address bound, say). */
  'query-links': (Link & { readonly inEffect?: Readonly<Record<string, string>> })[];
  'start-provider': ProviderRef;
  'stop-provider': { readonly stopped: string };
  'get-inventory': HostInventory;
  'get-claims': ComponentClaims[];
  'provider-kinds': ProviderKind[];
  /** The service's own answer (a display's snapshot): the caller checks its shape. */
  'provider-service': unknown;
  /** The function's value (for a WIT result, `{ ok }` or `{ err }`), or an HTTP response. */
  call: unknown;
  /** The host's process id: a client on this machine waits for it to end. */
  shutdown: { readonly stopping: true; readonly pid: number };
  'app-deploy': ApplicationStatus;
  'app-undeploy': ApplicationStatus;
  'app-list': ApplicationStatus[];
  'app-status': ApplicationStatus;
}

export type ControlResponse = { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly code: string; readonly message: string };

export interface HostIdentity {
  readonly labels: Readonly<Record<string, string>>;
  readonly startedAt: string;
  /** Called by the shutdown operation, after its answer is sent. */
  readonly onShutdown: () => void;
  /** What a provider this host starts by kind (`badger start provider keyvalue`) is handed; none: it starts none. */
  readonly providerContext?: (kind: ProviderDescriptor, id: string | undefined) => ProviderContext;
  /** False while the host is still setting itself up (the demo's actors, say). */
  readonly ready: () => boolean;
  readonly apps?: ApplicationControl;
}

const HTTP_HANDLER = /^(wasi:http\/incoming-handler(@[0-9A-Za-z.+-]+?)?|incomingHandler)\.handle$/;

/** Runs one control request from any transport; what does not fit the schema gets a coded refusal. */
export async function handleControlRequest(host: Host, identity: HostIdentity, given: unknown): Promise<ControlResponse> {
  const request = await parseRequest(given);
  if (isRefusal(request)) return request;
  try {
    return { ok: true, data: await perform(host, identity, request) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, code: typeof code === 'string' ? code : 'HOST_INTERNAL', message: (error as Error)?.message ?? String(error) };
  }
}

type Operations = { readonly [Op in ControlOp]: (host: Host, identity: HostIdentity, request: ControlRequestOf<Op>) => ControlReplies[Op] | Promise<ControlReplies[Op]> };

// One handler an operation, each typed by the reply its clients expect.
const OPERATIONS: Operations = {
  ping: (host, identity) => ({ labels: identity.labels, startedAt: identity.startedAt, ready: identity.ready(), actors: host.inventory().actors.length }),
  'start-actor': (host, _identity, request) =>
    host.startActor(request.location, {
      ...(request.maxInstances === undefined ? {} : { maxInstances: request.maxInstances }),
      ...(request.deadlineMs === undefined ? {} : { deadlineMs: request.deadlineMs }),
      ...(request.queueLimit === undefined ? {} : { queueLimit: request.queueLimit }),
      ...(request.memoryLimitMb === undefined ? {} : { memoryLimitMb: request.memoryLimitMb }),
      ...(request.logLevel === undefined ? {} : { logLevel: request.logLevel }),
      ...(request.config === undefined ? {} : { config: request.config }),
      ...(request.isolated === undefined ? {} : { isolated: request.isolated }),
      ...(request.idleMs === undefined ? {} : { idleMs: request.idleMs }),
    }),
  'update-actor': (host, _identity, request) => host.updateActor(request.location),
  'stop-actor': async (host, _identity, request) => {
    await host.stopActor(request.actor);
    return { stopped: request.actor };
  },
  'scale-actor': (host, _identity, request) => host.scaleActor(request.actor, request.maxInstances),
  'put-link': (host, _identity, request) =>
    host.putLink({
      source: host.actorId(request.source),
      target: host.linkTarget(request.target),
      interface: request.interface,
      ...(request.name === undefined ? {} : { name: request.name }),
      ...(request.config === undefined ? {} : { config: request.config }),
    }),
  // A link outlives its actor: one whose actor has stopped is named by the actor's id.
  'del-link': (host, _identity, request) => host.deleteLink(runningActorId(host, request.source) ?? request.source, request.interface, request.name),
  'query-links': (host) => host.linksInEffect(),
  'start-provider': async (host, identity, request) => {
    const kinds = identity.providerContext ? host.providerKinds : [];
    const kind = kinds.find((known) => known.name === request.kind);
    if (!kind || !identity.providerContext) throw new HostError('PROVIDER_NOT_FOUND', `no provider of kind ${request.kind}; this host knows ${kinds.map((known) => known.name).join(', ') || 'none'}`);
    const provider = kind.create(identity.providerContext(kind, request.id));
    await host.startProvider(provider);
    return { id: provider.id, name: provider.name };
  },
  'stop-provider': async (host, _identity, request) => {
    await host.stopProvider(request.id);
    return { stopped: request.id };
  },
  'get-inventory': async (host, identity) => {
    const inventory = host.inventory();
    const health = await host.providerHealth();
    return {
      labels: identity.labels,
      startedAt: identity.startedAt,
      ...inventory,
      providers: inventory.providers.map((provider) => ({ ...provider, health: health[provider.id] })),
      links: await host.linksWithHealth(),
    };
  },
  'get-claims': (host) => host.inventory().actors.flatMap((actor) => (actor.claims ? [actor.claims] : [])),
  'provider-kinds': (host) => host.providerKinds.map(providerKind),
  'provider-service': (host, _identity, request) => host.callService(request.service, request.request, request.provider),
  call: async (host, _identity, request) => {
    const actor = host.actorId(request.actor);
    if (HTTP_HANDLER.test(request.function)) {
      const result = await host.invoke(actor, { kind: 'http', request: httpRequestFrom(request.args[0]) });
      if (!result.ok) throw new HostError(result.code, result.message);
      const response = result.value as { status: number; headers: [string, string][]; body: Uint8Array };
      return { status: response.status, headers: response.headers, body: new TextDecoder().decode(response.body) } satisfies CalledHttpResponse;
    }
    const result = await host.invoke(actor, { kind: 'call', name: request.function, args: request.args });
    if (!result.ok) throw new HostError(result.code, result.message);
    return result.value;
  },
  shutdown: (_host, identity) => {
    setImmediate(identity.onShutdown);
    return { stopping: true, pid: process.pid };
  },
  'app-deploy': (_host, identity, request) => applications(identity).deploy(request.manifest),
  'app-undeploy': (_host, identity, request) => applications(identity).undeploy(request.name),
  'app-list': (_host, identity) => applications(identity).list(),
  'app-status': (_host, identity, request) => applications(identity).status(request.name),
};

function perform<Op extends ControlOp>(host: Host, identity: HostIdentity, request: ControlRequestOf<Op>): Promise<ControlReplies[Op]> {
  const handler = OPERATIONS[request.op as Op] as Operations[Op];
  return Promise.resolve(handler(host, identity, request));
}

/** A provider kind as the control interface shows it. */
export function providerKind(kind: ProviderDescriptor): ProviderKind {
  return {
    name: kind.name,
    summary: kind.summary,
    interfaces: kind.contracts.flatMap((contract) => contract.interfaces.map((name) => ({ name, versions: contract.versions }))),
    drives: kind.drives ?? [],
    linkConfig: kind.linkConfig,
    services: kind.services ?? {},
  };
}

function runningActorId(host: Host, idOrName: string): string | undefined {
  try {
    return host.actorId(idOrName);
  } catch {
    return undefined;
  }
}

function applications(identity: HostIdentity): ApplicationControl {
  if (!identity.apps) throw new HostError('HOST_NOT_RUNNING', 'this host runs no application reconciler');
  return identity.apps;
}

/** `{"method": "GET", "path": "/echo?msg=hi", "headers": {...}, "body": "..."}`, every field optional. */
function httpRequestFrom(value: unknown): IncomingRequestParts {
  const given = (typeof value === 'object' && value !== null ? value : {}) as { method?: string; path?: string; headers?: Record<string, string>; body?: string };
  return {
    method: given.method ?? 'GET',
    pathWithQuery: given.path ?? '/',
    scheme: 'http',
    authority: 'localhost',
    headers: Object.entries(given.headers ?? {}),
    body: new TextEncoder().encode(given.body ?? ''),
  };
}
