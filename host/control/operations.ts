import type { IncomingRequestParts } from '../wasi/index.ts';
import { HostError } from '../errors.ts';
import { isRefusal, parseRequest } from './control-schema.ts';
import type { Host } from '../host.ts';
import type { Provider } from '../provider.ts';

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
      readonly config?: Record<string, string>;
    }
  | { readonly op: 'stop-actor'; readonly actor: string }
  | { readonly op: 'scale-actor'; readonly actor: string; readonly maxInstances: number }
  | { readonly op: 'put-link'; readonly source: string; readonly target: string; readonly interface: string; readonly name?: string; readonly config?: Record<string, string> }
  | { readonly op: 'del-link'; readonly source: string; readonly interface: string; readonly name?: string }
  | { readonly op: 'query-links' }
  | { readonly op: 'start-provider'; readonly kind: string; readonly id?: string }
  | { readonly op: 'stop-provider'; readonly id: string }
  | { readonly op: 'get-inventory' }
  | { readonly op: 'get-claims' }
  | { readonly op: 'display-snapshot'; readonly panel?: string }
  | { readonly op: 'call'; readonly actor: string; readonly function: string; readonly args: unknown[] }
  | { readonly op: 'shutdown' }
  | { readonly op: 'app-deploy'; readonly manifest: string }
  | { readonly op: 'app-undeploy'; readonly name: string }
  | { readonly op: 'app-list' }
  | { readonly op: 'app-status'; readonly name: string };

/** Declarative applications, as the host offers them (the reconciler and its store live outside `host/`). */
export interface ApplicationControl {
  deploy(manifest: string): Promise<unknown>;
  undeploy(name: string): Promise<unknown>;
  list(): Promise<unknown>;
  status(name: string): Promise<unknown>;
}

export type ControlResponse = { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly code: string; readonly message: string };

export interface HostIdentity {
  readonly labels: Readonly<Record<string, string>>;
  readonly startedAt: string;
  /** Called by the shutdown operation, after its answer is sent. */
  readonly onShutdown: () => void;
  /** The providers this host can start by kind, such as `keyvalue`. */
  readonly providerKinds: Readonly<Record<string, (id?: string) => Provider>>;
  /** False while the host is still setting itself up (the demo's actors, say). */
  readonly ready: () => boolean;
  readonly apps?: ApplicationControl;
}

const HTTP_HANDLER = /^(wasi:http\/incoming-handler|incomingHandler)\.handle$/;

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

async function perform(host: Host, identity: HostIdentity, request: ControlRequest): Promise<unknown> {
  switch (request.op) {
    case 'ping':
      return { labels: identity.labels, startedAt: identity.startedAt, ready: identity.ready(), actors: host.inventory().actors.length };
    case 'start-actor':
      return host.startActor(request.location, {
        ...(request.maxInstances === undefined ? {} : { maxInstances: request.maxInstances }),
        ...(request.deadlineMs === undefined ? {} : { deadlineMs: request.deadlineMs }),
        ...(request.queueLimit === undefined ? {} : { queueLimit: request.queueLimit }),
        ...(request.memoryLimitMb === undefined ? {} : { memoryLimitMb: request.memoryLimitMb }),
        ...(request.config === undefined ? {} : { config: request.config }),
      });
    case 'stop-actor':
      await host.stopActor(request.actor);
      return { stopped: request.actor };
    case 'scale-actor':
      return host.scaleActor(request.actor, request.maxInstances);
    case 'put-link':
      return host.putLink({
        source: host.actorId(request.source),
        target: request.target,
        interface: request.interface,
        ...(request.name === undefined ? {} : { name: request.name }),
        ...(request.config === undefined ? {} : { config: request.config }),
      });
    case 'del-link':
      // A link outlives its actor: one whose actor has stopped is named by the actor's id.
      return host.deleteLink(runningActorId(host, request.source) ?? request.source, request.interface, request.name);
    case 'query-links':
      return host.links.query();
    case 'start-provider': {
      const make = identity.providerKinds[request.kind];
      if (!make) throw new HostError('PROVIDER_NOT_FOUND', `no provider of kind ${request.kind}; this host knows ${Object.keys(identity.providerKinds).join(', ') || 'none'}`);
      const provider = make(request.id);
      await host.startProvider(provider);
      return { id: provider.id, name: provider.name };
    }
    case 'stop-provider':
      await host.stopProvider(request.id);
      return { stopped: request.id };
    case 'get-inventory': {
      const inventory = host.inventory();
      const health = await host.providerHealth();
      return {
        labels: identity.labels,
        startedAt: identity.startedAt,
        ...inventory,
        providers: inventory.providers.map((provider) => ({ ...provider, health: health[provider.id] })),
        links: await host.linksWithHealth(),
      };
    }
    case 'get-claims':
      return host.inventory().actors.flatMap((actor) => (actor.claims ? [actor.claims] : []));
    case 'display-snapshot':
      return host.displaySnapshot(request.panel);
    case 'call': {
      const actor = host.actorId(request.actor);
      if (HTTP_HANDLER.test(request.function)) {
        const result = await host.invoke(actor, { kind: 'http', request: httpRequestFrom(request.args[0]) });
        if (!result.ok) throw new HostError(result.code, result.message);
        const response = result.value as { status: number; headers: [string, string][]; body: Uint8Array };
        return { status: response.status, headers: response.headers, body: new TextDecoder().decode(response.body) };
      }
      const result = await host.invoke(actor, { kind: 'call', name: request.function, args: request.args });
      if (!result.ok) throw new HostError(result.code, result.message);
      return result.value;
    }
    case 'shutdown':
      setImmediate(identity.onShutdown);
      return { stopping: true };
    case 'app-deploy':
      return applications(identity).deploy(request.manifest);
    case 'app-undeploy':
      return applications(identity).undeploy(request.name);
    case 'app-list':
      return applications(identity).list();
    case 'app-status':
      return applications(identity).status(request.name);
  }
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
