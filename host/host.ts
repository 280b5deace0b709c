import { pino, type Logger } from 'pino';
import { RecentModuleHashes, verifyArtifact, wasmKind, type ClaimsVerification, type ComponentClaims } from '../claims/index.ts';
import type { Invocation, InvocationErrorCode, InvocationResult } from './actor-protocol.ts';
import { ActorPool, type PoolLimits } from './actor-pool.ts';
import { routesChanged } from './actor-thread.ts';
import { defaultActorThreads, SharedThreads } from './shared-threads.ts';
import { ArtifactBuffers } from './artifact-buffers.ts';
import { readArtifact } from './artifact-source.ts';
import { isPulledReference, type ArtifactPuller } from './artifacts/artifact-puller.ts';
import { HostError } from './errors.ts';
import type { LogLevel } from './log-levels.ts';
import type { ActorLogLevel } from './wasi/index.ts';
import { WASM_PAGE_BYTES } from './memory-limit.ts';
import { exportDenial, offeredExports } from './grants.ts';
import { claimServing, importRefusal, isServedWhenClaimed, resolveImports, routedInterfaces } from './import-resolution.ts';
import { DEFAULT_LINK_NAME, linkKey, LinkTable, type Link } from './links.ts';
import { Capabilities } from './capabilities.ts';
import { evaluatePolicy, type Policy } from './policy.ts';
import { reportedHealth, type Provider, type ProviderDescriptor, type ProviderHealth, type ProviderHost } from './provider.ts';
import type { ActorRpcRequest, LatticeAccess, RemoteTargets, Serving } from './remote-targets.ts';
import { routeImportCall, type CallOutcome, type RouteTargets } from './router.ts';
import { planSuspension } from './suspension.ts';
import { transpileToRun } from './run-bindings.ts';
import { compileCoreModules, singleRequestInstances } from './transpile-cache.ts';

export interface HostOptions {
  /** Where transpiled components are kept between runs. */
  readonly cacheDir: string;
  readonly policy: Policy;
  readonly logger?: Logger;
  /** Seconds since the epoch; tests move it. */
  readonly now?: () => number;
  /** Hears each lifecycle event (the lattice publishes them as CloudEvents). */
  readonly onEvent?: (type: HostEventType, data: Record<string, unknown>) => void;
  /** The lattice, for a host that starts on one (else `attachLattice` once it has joined). */
  readonly remote?: RemoteTargets;
  /**
   * The provider kinds whose interfaces this host routes, started here or not (a store on another
   * host of the lattice). A provider started here adds its own contracts too, but only for actors
   * started after it: an actor's imports are planned once, at its start.
   */
  readonly providers?: readonly ProviderDescriptor[];
  /** Shared actor threads (default: one per core). */
  readonly actorThreads?: number;
  /** An actor instance unused this long is dropped, and made again by the next call (default 60 s). */
  readonly idleMs?: number;
  /** Pulls `oci://` and `lattice://` references (through the digest cache); without it the host refuses them. */
  readonly puller?: Pick<ArtifactPuller, 'pull'>;
}

export type HostEventType =
  | 'actor_started'
  | 'actor_stopped'
  | 'actor_scaled'
  | 'actor_updated'
  | 'provider_started'
  | 'provider_stopped'
  | 'link_put'
  | 'link_deleted'
  | 'invocation_failed'
  | 'actor_isolated';

export interface StartActorOptions extends Partial<PoolLimits> {
  /** What `wasi:config/store` answers for this actor, with the config of links that target it on top. */
  readonly config?: Readonly<Record<string, string>>;
  /** The most memory each instance may use (default 512 MiB). */
  readonly memoryLimitMb?: number;
  /** The least severe of the actor's own log lines kept (default: the host's level). */
  readonly logLevel?: LogLevel;
  /** Threads of its own rather than the host's shared ones. */
  readonly isolated?: boolean;
  /** Its instances' idle time before they are dropped (default: the host's). */
  readonly idleMs?: number;
}


export interface ActorSummary {
  readonly id: string;
  readonly name: string;
  readonly claims?: ComponentClaims;
  readonly capabilities: readonly string[];
  readonly limits: PoolLimits;
  /** On threads of its own: started so, or since it overran its deadline on a shared thread. */
  readonly isolated: boolean;
  /** False when the component came out of the transpile cache. */
  readonly transpiled: boolean;
  readonly failures: Readonly<Partial<Record<InvocationErrorCode, number>>>;
}

const DEFAULT_LIMITS: PoolLimits = { maxInstances: 1, queueLimit: 64, deadlineMs: 10_000 };
const DEFAULT_MEMORY_LIMIT_MB = 512;
const DEFAULT_IDLE_MS = 60_000;

/** An actor's id: its claims' subject, or for an unsigned component a name from its hash. */
function actorIdFrom(verification: ClaimsVerification): string {
  return verification.claims?.sub ?? `unsigned-${verification.hash?.slice(0, 16)}`;
}


interface RunningActor {
  readonly summary: Omit<ActorSummary, 'limits' | 'failures' | 'isolated'>;
  /** The WIT interfaces it exports, which links from actors on other hosts may target. */
  readonly exportedInterfaces: readonly string[];
  /** Of those, the ones it may offer: a driven export (an HTTP handler) only when its claims name it. */
  readonly offeredInterfaces: readonly string[];
  readonly pool: ActorPool;
  /** Its log lines carry its id and name. */
  readonly log: Logger;
  /** What it was started with: its next version (updateActor) starts with the same. */
  readonly options: StartActorOptions;
  /** Lets go of its compiled code, once its pool has drained. */
  readonly release: () => void;
  readonly failures: Partial<Record<InvocationErrorCode, number>>;
}

/** An artifact that passed verification and the policy. */
interface Admitted {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly verification: ClaimsVerification;
  readonly capabilities: readonly string[];
}

/**
 * The host: admits signed actors under its policy, runs each in its own worker threads, and routes
 * their imports through links to providers. Every operation is a method; transports (the local
 * socket, NATS) only carry them.
 */
export class Host {
  readonly links = new LinkTable(routesChanged);
  readonly #providers = new Map<string, Provider>();
  readonly #actors = new Map<string, RunningActor>();
  readonly #starting = new Set<string>();
  /** Compiled core modules by transpiled code and memory limit, with how many running actors use them. */
  readonly #compiled = new Map<string, { readonly modules: Promise<Record<string, WebAssembly.Module>>; users: number }>();
  readonly #artifactBuffers = new ArtifactBuffers();
  /** Code verified lately: the same code under another signature is compared, not hashed again. */
  readonly #recentHashes = new RecentModuleHashes();
  /** Versions an update replaced, still finishing their calls. */
  readonly #draining = new Set<Promise<void>>();
  readonly #options: HostOptions;
  readonly #log: Logger;
  readonly #providerHost: ProviderHost;
  readonly #capabilities: Capabilities;
  readonly #threads: SharedThreads;

  /** The lattice, when this host is on one. */
  #remote: RemoteTargets | undefined;
  /** Why a link's provider could not take it again when its actor restarted, by link key: its health says so. */
  readonly #linkProblems = new Map<string, string>();
  /** What this host serves to the lattice, by `actor:<id>` or `provider:<id>`: stopped with it. */
  readonly #servedOnLattice = new Map<string, Serving>();

  readonly #targets: RouteTargets = {
    contractFor: (iface) => this.#capabilities.contractFor(iface),
    provider: (id) => this.#providers.get(id),
    remoteProvider: (link, operation, args) => this.#remote?.callProvider(link, operation, args, this.#deadlineOf(link.source)),
    callActor: (id, iface, fn, args) => (this.#actors.has(id) ? this.#callExport(id, iface, fn, args) : undefined),
    remoteActor: (link, fn, args) => this.#remote?.callActor(link, fn, args, this.#deadlineOf(link.source)),
  };

  /** A call across the lattice waits as long as its calling actor may run. */
  #deadlineOf(actorId: string): number {
    return this.#actors.get(actorId)?.pool.limits.deadlineMs ?? DEFAULT_LIMITS.deadlineMs;
  }

  #callExport(id: string, iface: string, fn: string, args: unknown[]): Promise<CallOutcome> {
    // jco names an exported interface by its last segment: example:greeter/greet → greet.
    const exportName = camelCase(iface.split('/').pop()!);
    return this.#actor(id).pool.invoke({ kind: 'call', name: `${exportName}.${fn}`, args }).then((result): CallOutcome => {
      if (!result.ok) return { err: undefined, reason: `${id} failed: ${result.code}: ${result.message}` };
      return result.value as CallOutcome;
    });
  }

  constructor(options: HostOptions) {
    this.#options = options;
    this.#log = options.logger ?? pino({ name: 'badger-host' });
    this.#providerHost = this.#providerHostWith(this.#log);
    this.#remote = options.remote;
    this.#capabilities = new Capabilities(options.providers);
    this.#threads = new SharedThreads(options.actorThreads ?? defaultActorThreads(), (level, message) =>
      this.#log[pinoLevel(level)]({ context: 'actor-thread', ...streamOf(level) }, message),
    );
  }

  /** The shared actor threads started so far, and how many it may start. */
  get actorThreads(): { readonly started: number; readonly size: number } {
    return { started: this.#threads.threads.length, size: this.#threads.size };
  }

  /** The provider kinds this host was given, for `badger start provider <name>`. */
  get providerKinds(): readonly ProviderDescriptor[] {
    return this.#capabilities.descriptors;
  }

  /**
   * Puts the host on a lattice joined after its start: a link whose target is not here is served
   * by that target elsewhere on the lattice, and what runs here is offered to the lattice.
   */
  attachLattice(lattice: LatticeAccess): void {
    this.#remote = lattice.remoteTargets;
    for (const id of this.#actors.keys()) this.#serveActorOnLattice(id);
    for (const provider of this.#providers.values()) this.#serveProviderOnLattice(provider);
  }

  /** Links from other hosts may target this host's providers: they are served on the lattice too. */
  #serveProviderOnLattice(provider: Provider): void {
    // Calls are served for the links this host holds (put here, or adopted from signed link events), never for links named on the wire.
    if (this.#remote) this.#servedOnLattice.set(`provider:${provider.id}`, this.#remote.serveProvider(provider, (source, iface, name) => this.links.resolve(source, iface, name)));
  }

  /** An actor's exports, for links from actors on other hosts, and HTTP requests from providers there. */
  #serveActorOnLattice(id: string): void {
    const remote = this.#remote;
    const actor = this.#actors.get(id);
    if (!remote || !actor) return;
    const invoke = async (request: ActorRpcRequest): Promise<unknown> => {
      if (request.kind === 'call') return this.#callExport(id, request.iface, request.fn, request.args);
      const result = await this.invoke(id, { kind: 'http', request: { ...request.request, scheme: 'http' } });
      if (!result.ok) throw new HostError(result.code, result.message);
      return result.value;
    };
    this.#servedOnLattice.set(`actor:${id}`, remote.serveActor(id, actor.offeredInterfaces, invoke));
  }

  #stopServingOnLattice(key: string): void {
    this.#servedOnLattice.get(key)?.stop();
    this.#servedOnLattice.delete(key);
  }

  /** Loads, verifies, admits and starts an actor; refuses with the claims or policy code. */
  startActor(location: string, options: StartActorOptions = {}): Promise<ActorSummary> {
    return this.#withAdmissible(location, async ({ id, bytes, verification, capabilities }) => {
      if (this.#actors.has(id) || this.#starting.has(id)) throw new HostError('ACTOR_ALREADY_RUNNING', `actor ${id} is already running; scale it instead`);
      // Two starts of one component at once must not both pass the check above.
      this.#starting.add(id);
      try {
        const actor = await this.#prepare(id, bytes, verification, capabilities, options);
        this.#actors.set(id, actor);
        this.#serveActorOnLattice(id);
        await this.#relink(id, actor.log);
        actor.log.info({ capabilities: actor.summary.capabilities, transpiled: actor.summary.transpiled }, 'actor started');
        this.#event('actor_started', { actor: id, name: actor.summary.name, capabilities: actor.summary.capabilities });
        return this.#describe(actor);
      } finally {
        this.#starting.delete(id);
      }
    });
  }

  /**
   * Swaps a running actor for another version of it (the same component key) without a gap: the
   * new version is made ready first, its links (and so its HTTP listeners, on the same addresses)
   * move to it, and then the old one drains, its calls in flight finishing where they started (this
   * resolves before it has drained). A version that does not start leaves the old one serving. It
   * keeps the old one's config and limits (as scaled), unless `options` says otherwise.
   */
  updateActor(location: string, options: StartActorOptions = {}): Promise<ActorSummary> {
    return this.#withAdmissible(location, async ({ id, bytes, verification, capabilities }) => {
      const previous = this.#actors.get(id);
      if (!previous) throw new HostError('ACTOR_NOT_FOUND', `no actor ${id} is running: start it instead`);
      // A component key is public: whoever may start actors could claim it. Only its own account may replace it.
      const [before, after] = [previous.summary.claims?.iss, verification.claims?.iss];
      if (before !== after) throw new HostError('ACTOR_UPDATE_REFUSED', `actor ${id} runs code signed by ${before ?? 'no one'}; this version is signed by ${after ?? 'no one'}`);
      if (this.#starting.has(id)) throw new HostError('ACTOR_ALREADY_RUNNING', `actor ${id} is already being started or updated`);
      this.#starting.add(id);
      try {
        const next = await this.#prepare(id, bytes, verification, capabilities, { ...previous.options, maxInstances: previous.pool.limits.maxInstances, ...options });
        this.#actors.set(id, next);
        this.#stopServingOnLattice(`actor:${id}`);
        this.#serveActorOnLattice(id);
        await this.#relink(id, next.log);
        // The old version drains in its own time (its HTTP clients leave by their keep-alive timeout); shutdown waits for it.
        const drained: Promise<void> = previous.pool.drain().finally(() => {
          previous.release();
          this.#draining.delete(drained);
        });
        this.#draining.add(drained);
        next.log.info({ capabilities: next.summary.capabilities }, 'actor updated');
        this.#event('actor_updated', { actor: id, name: next.summary.name, capabilities: next.summary.capabilities });
        return this.#describe(next);
      } finally {
        this.#starting.delete(id);
      }
    });
  }

  /**
   * Reads and verifies an artifact against the policy, and hands `use` its actor id and the
   * capabilities it is granted. The bytes are lent (see ArtifactBuffers): valid until `use` settles.
   */
  async #withAdmissible<T>(location: string, use: (admitted: Admitted) => Promise<T>): Promise<T> {
    const bytes = await this.#read(location);
    try {
      return await use(await this.#admissible(location, bytes));
    } finally {
      this.#artifactBuffers.release(bytes);
    }
  }

  /** The id the component at `location` would run under, without starting it (for the reconciler). */
  async actorIdOf(location: string): Promise<string> {
    const bytes = await this.#read(location);
    try {
      return actorIdFrom(await verifyArtifact(bytes, this.#now()));
    } finally {
      this.#artifactBuffers.release(bytes);
    }
  }

  /** A component's bytes: a file's lent from the buffers, a URL's fetched, a reference's pulled. */
  async #read(location: string): Promise<Uint8Array> {
    if (!isPulledReference(location)) return readArtifact(location, undefined, undefined, this.#artifactBuffers);
    if (!this.#options.puller) throw new HostError('ARTIFACT_UNREADABLE', `${location}: this host pulls no references (it was made without an artifact puller)`);
    const pulled = await this.#options.puller.pull(location);
    if (pulled.movedFrom) this.#log.warn({ reference: location, was: pulled.movedFrom, now: pulled.resolved }, 'the reference moved since this host last pulled it: starting what it names now');
    this.#log.info({ reference: location, digest: pulled.digest, cached: pulled.cached }, 'pulled');
    return pulled.bytes;
  }

  async #admissible(location: string, bytes: Uint8Array): Promise<Admitted> {
    if (wasmKind(bytes) === 'module') {
      throw new HostError('ARTIFACT_NOT_A_COMPONENT', `${location} is a core WebAssembly module, not a component: make one of it with wasm-tools component new (with a WASI adapter if it uses WASI preview 1), then sign it again`);
    }
    const verification = await verifyArtifact(bytes, this.#now(), this.#recentHashes);
    const decision = evaluatePolicy(verification, this.#options.policy);
    if (!decision.allowed) {
      const [first] = decision.denials;
      throw new HostError(first!.code, decision.denials.map((denial) => denial.reason).join('; '));
    }
    return { id: actorIdFrom(verification), bytes, verification, capabilities: decision.capabilities };
  }

  /** An actor made ready to serve (transpiled, its imports resolved, its pool set up), not yet registered. */
  async #prepare(id: string, bytes: Uint8Array, verification: ClaimsVerification, capabilities: readonly string[], options: StartActorOptions): Promise<RunningActor> {
    const component = await transpileToRun(bytes, this.#options.cacheDir, this.#capabilities, verification.hash);
    const resolutions = resolveImports(component, this.#capabilities.served(), capabilities);
    const refusal = importRefusal(resolutions);
    if (refusal) throw new HostError(refusal.code, refusal.message);
    const routed = routedInterfaces(resolutions);
    const suspension = planSuspension(component, routed, this.#capabilities);

    const name = verification.claims?.wascap.name ?? id;
    const log = this.#log.child({ actor: id, name }, options.logLevel ? { level: options.logLevel } : {});
    if (component.transpiled) {
      for (const edit of (component.bindingsEdits ?? []).filter((report) => !report.applied)) {
        log.warn({ edit: edit.name, reason: edit.reason }, "a repair to jco's generated bindings did not fit this jco's code; those calls take jco's own, slower path");
      }
    }
    const failures: Partial<Record<InvocationErrorCode, number>> = {};
    const code = this.#compiledCode(component.dir, Math.floor(((options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB) * 1024 * 1024) / WASM_PAGE_BYTES));
    const modules = await code.modules.catch((error: unknown) => {
      code.release();
      throw error;
    });
    const pool = new ActorPool(
      {
        actorId: id,
        componentDir: component.dir,
        routed,
        contractModules: [...new Set(routed.flatMap((iface) => this.#capabilities.contractFor(iface)?.module ?? []))],
        actorImports: suspension.actorImports,
        singleRequestInstances: singleRequestInstances(component, verification.claims?.wascap.tags),
        modules,
        logsEveryRequest: log.isLevelEnabled('info'),
      },
      { ...DEFAULT_LIMITS, ...definedLimits(options) },
      { isolated: options.isolated ?? false, idleMs: options.idleMs ?? this.#options.idleMs ?? DEFAULT_IDLE_MS },
      this.#threads,
      {
        routeImport: async ({ iface, operation, args, linkName }) =>
          iface === 'wasi:config/store' ? { ok: this.#configOf(id, options.config ?? {}) } : routeImportCall(this.links, this.#targets, id, iface, operation, args, linkName),
        log: (level, context, message) => log[pinoLevel(level)]({ context, ...streamOf(level) }, message),
        failed: (code, message) => {
          failures[code] = (failures[code] ?? 0) + 1;
          log.warn({ code }, message);
          this.#event('invocation_failed', { actor: id, code, message });
        },
        isolated: (message) => {
          log.warn({ reason: message }, 'actor isolated: it overran its deadline on a shared thread, and runs on threads of its own from now on');
          this.#event('actor_isolated', { actor: id, name, reason: message });
        },
        access: (entries) => {
          for (const { error, ...entry } of entries) {
            if (error !== undefined) log.warn({ ...entry, reason: error }, 'http request');
            else log.info(entry, 'http request');
          }
        },
      },
    );
    const summary = { id, name, ...(verification.claims ? { claims: verification.claims } : {}), capabilities: routed, transpiled: component.transpiled };
    return { summary, pool, failures, log, options, release: code.release, exportedInterfaces: component.exportedInterfaces, offeredInterfaces: offeredExports(component.exportedInterfaces, capabilities) };
  }

  async invoke(actorId: string, invocation: Invocation): Promise<InvocationResult> {
    return this.#actor(actorId).pool.invoke(invocation);
  }

  /** Worker threads, live instances, open sockets and requests in flight of an actor's own listeners. */
  actorStats(actorId: string): ReturnType<ActorPool['stats']> {
    return this.#actor(actorId).pool.stats();
  }

  scaleActor(actorId: string, maxInstances: number): ActorSummary {
    const actor = this.#actor(actorId);
    actor.pool.scale(maxInstances);
    this.#event('actor_scaled', { actor: actor.summary.id, maxInstances });
    return this.#describe(actor);
  }

  /** In-flight calls finish; new ones are refused; then the actor's threads end. */
  async stopActor(actorId: string): Promise<void> {
    const actor = this.#actor(actorId);
    this.#stopServingOnLattice(`actor:${actor.summary.id}`);
    // Stays listed while draining, so new calls hear ACTOR_STOPPING rather than "not found".
    await actor.pool.drain();
    actor.release();
    this.#actors.delete(actor.summary.id);
    // Its links stay (links outlive actors); their providers let go of what served the actor, and take it again at its next start.
    for (const link of this.links.query({ source: actor.summary.id })) {
      await Promise.resolve(this.#providers.get(link.target)?.linkDel?.(link)).catch((error: unknown) => this.#log.warn({ link, reason: (error as Error)?.message }, 'a provider failed to let go of a link'));
    }
    this.#log.info({ actor: actor.summary.id }, 'actor stopped');
    this.#event('actor_stopped', { actor: actor.summary.id, name: actor.summary.name });
  }

  /** What providers started here may ask of the host. */
  #providerHostWith(logger: Logger): ProviderHost {
    return {
      logger,
      serveHttp: async (actorId, spec) => {
        const { pool } = this.#actor(actorId);
        const listener = await pool.listen(spec);
        return { close: (options) => pool.unlisten(listener, options?.handover) };
      },
      reaches: (actorId) => this.#actors.has(actorId),
      callExport: async (actorId, iface, fn, args) => {
        const actor = this.#actors.get(actorId);
        if (!actor) return { err: undefined, reason: `actor ${actorId} does not run on this host` };
        if (!actor.offeredInterfaces.includes(iface)) {
          return { err: undefined, reason: exportDenial(actorId, iface, actor.exportedInterfaces, actor.offeredInterfaces)?.reason ?? `actor ${actorId} does not export ${iface}` };
        }
        return this.#callExport(actorId, iface, fn, [...args]);
      },
    };
  }

  async startProvider(provider: Provider): Promise<void> {
    if (this.#providers.has(provider.id)) throw new HostError('PROVIDER_ALREADY_RUNNING', `provider ${provider.id} is already running`);
    this.#capabilities.addProvider(provider);
    this.#providers.set(provider.id, provider);
    routesChanged();
    provider.attach?.(this.#providerHost);
    for (const link of this.links.query({ target: provider.id })) await provider.linkPut?.(link);
    this.#serveProviderOnLattice(provider);
    this.#event('provider_started', { provider: provider.id, name: provider.name });
  }

  async stopProvider(providerId: string): Promise<void> {
    const provider = this.#providers.get(providerId);
    if (!provider) throw new HostError('PROVIDER_NOT_FOUND', `no provider ${providerId} is running`);
    this.#stopServingOnLattice(`provider:${providerId}`);
    this.#providers.delete(providerId);
    routesChanged();
    await provider.shutdown?.();
    this.#event('provider_stopped', { provider: providerId, name: provider.name });
  }

  /** Why a link may not drive its source actor's export (one its claims do not name), when the actor runs here. */
  #exportDenial(link: Link): string | undefined {
    const actor = this.#actors.get(link.source);
    return actor && exportDenial(link.source, link.interface, actor.exportedInterfaces, actor.offeredInterfaces)?.reason;
  }

  /**
   * Why an actor here may not be linked to a provider for an interface the host otherwise answers
   * itself, with a refusal (outgoing HTTP): its claims do not name it, so its calls never cross,
   * and the link would look like a grant. (Any other interface an actor imports unclaimed keeps it
   * from starting at all.)
   */
  #importDenial(link: Link): string | undefined {
    const actor = this.#actors.get(link.source);
    if (!actor || !isServedWhenClaimed(link.interface) || !this.#providers.has(link.target)) return undefined;
    const claim = claimServing(link.interface);
    if (actor.summary.capabilities.includes(claim)) return undefined;
    return `actor ${link.source} may not use ${link.interface}: its claims do not name ${claim} or the policy does not allow it; sign it with --cap ${claim}`;
  }

  /** Gives a restarted actor's links to their providers here again (its HTTP listeners, say); what fails is kept for the link's health. */
  async #relink(id: string, log: Logger): Promise<void> {
    for (const link of this.links.query({ source: id })) {
      const provider = this.#providers.get(link.target);
      if (!provider?.linkPut || this.#exportDenial(link)) continue;
      try {
        await provider.linkPut(link);
        this.#linkProblems.delete(linkKey(link));
      } catch (error) {
        const reason = `${link.target} could not take the link again when ${id} started: ${(error as Error)?.message ?? String(error)}`;
        this.#linkProblems.set(linkKey(link), reason);
        log.warn({ link: { interface: link.interface, name: link.name, target: link.target } }, reason);
      }
    }
  }

  async putLink(link: Omit<Link, 'name' | 'config'> & Partial<Pick<Link, 'name' | 'config'>>): Promise<Link> {
    const complete: Link = { name: DEFAULT_LINK_NAME, config: {}, ...link };
    const denied = this.#exportDenial(complete) ?? this.#importDenial(complete);
    if (denied) throw new HostError('POLICY_CAPABILITY_DENIED', denied);
    const replaced = this.links.put(complete);
    if (replaced && replaced.target !== complete.target) await this.#providers.get(replaced.target)?.linkDel?.(replaced);
    try {
      await this.#providers.get(complete.target)?.linkPut?.(complete);
    } catch (error) {
      // A link its provider refused (a taken address, a bad config) must not stay listed as if it worked.
      this.links.delete(complete.source, complete.interface, complete.name);
      throw error;
    }
    this.#linkProblems.delete(linkKey(complete));
    this.#event('link_put', { ...complete });
    return complete;
  }

  /**
   * A link's target as a person names it: a provider here by its id, or an actor here by its id or
   * name. On a lattice, anything else is kept as given: links are the lattice's, and their target
   * may run on another host or start later (its health in `link query` says whether it answers).
   * A host on no lattice refuses it now, rather than at the first call through the link.
   */
  linkTarget(named: string): string {
    if (this.#providers.has(named)) return named;
    const actor = this.#findActor(named);
    if (actor) return actor.summary.id;
    if (this.#remote) return named;
    throw new HostError('LINK_TARGET_NOT_FOUND', `no provider or actor named ${named} runs here: start it first, or name it as badger get inventory shows it`);
  }

  async deleteLink(source: string, iface: string, name = DEFAULT_LINK_NAME): Promise<Link> {
    const removed = this.links.delete(source, iface, name);
    if (!removed) throw new HostError('LINK_NOT_FOUND', `no link ${name} for ${iface} from ${source}`);
    this.#linkProblems.delete(linkKey(removed));
    await this.#providers.get(removed.target)?.linkDel?.(removed);
    this.#event('link_deleted', { ...removed });
    return removed;
  }

  /**
   * A link another host of the lattice put: kept here too (every host sees every link), and told
   * to the provider of this host it targets. When the actor runs elsewhere, a provider that needs
   * it here (the HTTP server) refuses the link; that is for the host that runs the actor to serve.
   */
  async adoptLink(link: Link): Promise<void> {
    const denied = this.#exportDenial(link);
    if (denied) return void this.#log.warn({ link, reason: denied }, 'a link from another host is refused');
    const replaced = this.links.put(link);
    if (replaced && replaced.target !== link.target) await Promise.resolve(this.#providers.get(replaced.target)?.linkDel?.(replaced)).catch(() => {});
    try {
      await this.#providers.get(link.target)?.linkPut?.(link);
    } catch (error) {
      this.#log.debug({ link, reason: (error as Error).message }, 'a provider here does not take a link from another host');
    }
  }

  /** A link another host of the lattice deleted. */
  async dropLink(source: string, iface: string, name: string): Promise<void> {
    const removed = this.links.delete(source, iface, name);
    if (removed) await Promise.resolve(this.#providers.get(removed.target)?.linkDel?.(removed)).catch(() => {});
  }

  inventory(): { actors: ActorSummary[]; providers: { id: string; name: string }[]; links: Link[] } {
    return {
      actors: [...this.#actors.values()].map((actor) => this.#describe(actor)),
      providers: [...this.#providers.values()].map(({ id, name }) => ({ id, name })),
      links: this.links.query(),
    };
  }

  /** Each provider's own report; a provider that cannot answer is reported unhealthy, with why. */
  async providerHealth(): Promise<Record<string, ProviderHealth>> {
    const reports = await Promise.all([...this.#providers.values()].map(async (provider) => [provider.id, await reportedHealth(provider)] as const));
    return Object.fromEntries(reports);
  }

  /**
   * Whether each link's target can take calls: a provider here reports its own health, an actor
   * here is healthy, and a target elsewhere on the lattice is asked (no answer: unhealthy, with why).
   */
  /** Every link, each with its config as its provider here says it took effect (`inEffect`), where it says so. */
  linksInEffect(): (Link & { readonly inEffect?: Readonly<Record<string, string>> })[] {
    return this.links.query().map((link) => {
      const inEffect = this.#providers.get(link.target)?.linkInEffect?.(link);
      return inEffect ? { ...link, inEffect } : link;
    });
  }

  async linksWithHealth(probeTimeoutMs = 1000): Promise<(Link & { readonly inEffect?: Readonly<Record<string, string>>; readonly health: ProviderHealth })[]> {
    const local = await this.providerHealth();
    const remote = this.#remote;
    const healthOf = async (link: Link): Promise<ProviderHealth> => {
      const problem = this.#linkProblems.get(linkKey(link));
      if (problem) return { healthy: false, message: problem };
      if (local[link.target]) return local[link.target]!;
      if (this.#actors.has(link.target)) return { healthy: true };
      if (!remote) return { healthy: false, message: `${link.target} is not running on this host` };
      return remote.probe(this.#capabilities.contractFor(link.interface) ? 'provider' : 'actor', link.target, probeTimeoutMs);
    };
    return Promise.all(this.linksInEffect().map(async (link) => ({ ...link, health: await healthOf(link) })));
  }

  /**
   * Asks a provider's named service (a display's `snapshot`): the named provider, or else the first
   * one whose service has an answer for the request.
   */
  async callService(service: string, request: unknown, providerId?: string): Promise<unknown> {
    const asked = providerId === undefined ? [...this.#providers.values()] : [this.#providers.get(providerId) ?? []].flat();
    if (providerId !== undefined && asked.length === 0) throw new HostError('PROVIDER_NOT_FOUND', `no provider ${providerId} is running`);
    for (const provider of asked) {
      const answer = Object.hasOwn(provider.services ?? {}, service) ? await provider.services![service]!(request) : undefined;
      if (answer !== undefined) return answer;
    }
    const kinds = this.#capabilities.descriptors.filter((kind) => kind.services && Object.hasOwn(kind.services, service)).map((kind) => kind.name);
    const hint = kinds.length > 0 ? `; start one with badger start provider ${kinds.join(' or ')}, and link an actor to it` : '';
    // The request came from another process: shown, but never at any length.
    const asking = `${service} ${JSON.stringify(request ?? {}).slice(0, 200)}`;
    throw new HostError('PROVIDER_NOT_FOUND', `${providerId === undefined ? `no running provider answers ${asking}` : `${providerId} has no answer to ${asking}`}${hint}`);
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.#actors.keys()].map((id) => this.stopActor(id)));
    await Promise.all(this.#draining);
    await Promise.all([...this.#providers.keys()].map((id) => this.stopProvider(id)));
    await this.#threads.end();
  }

  /**
   * What the actor's `wasi:config/store` answers: the config it was started with, under the
   * config of every link that targets it (a link tells its target how it is being used).
   */
  #configOf(id: string, started: Readonly<Record<string, string>>): Record<string, string> {
    return Object.assign({}, started, ...this.links.query({ target: id }).map((link) => link.config));
  }

  /**
   * The code's compiled modules, compiled once for every actor running it (its workers get the
   * same compiled code too); kept while one of them runs.
   */
  #compiledCode(dir: string, maxMemoryPages: number): { readonly modules: Promise<Record<string, WebAssembly.Module>>; readonly release: () => void } {
    const key = `${dir}\u0000${maxMemoryPages}`;
    let entry = this.#compiled.get(key);
    if (!entry) this.#compiled.set(key, (entry = { modules: compileCoreModules(dir, maxMemoryPages), users: 0 }));
    entry.users++;
    let released = false;
    const held = entry;
    return {
      modules: held.modules,
      release: () => {
        if (released) return;
        released = true;
        if (--held.users === 0 && this.#compiled.get(key) === held) this.#compiled.delete(key);
      },
    };
  }

  /** How many distinct codes this host holds compiled: actors that share code share one. */
  get compiledCodes(): number {
    return this.#compiled.size;
  }

  /** The id of a running actor named by its id or its claims name. */
  actorId(idOrName: string): string {
    return this.#actor(idOrName).summary.id;
  }

  #actor(actorId: string): RunningActor {
    const actor = this.#findActor(actorId);
    if (!actor) throw new HostError('ACTOR_NOT_FOUND', `no actor ${actorId} is running`);
    return actor;
  }

  /** A running actor, by its id or its claims name. */
  #findActor(idOrName: string): RunningActor | undefined {
    return this.#actors.get(idOrName) ?? [...this.#actors.values()].find((candidate) => candidate.summary.name === idOrName);
  }

  #describe(actor: RunningActor): ActorSummary {
    return { ...actor.summary, limits: actor.pool.limits, isolated: actor.pool.isolated, failures: { ...actor.failures } };
  }

  #event(type: HostEventType, data: Record<string, unknown>): void {
    try {
      this.#options.onEvent?.(type, data);
    } catch (error) {
      // A listener's failure must not undo the operation it heard about.
      this.#log.warn({ type, error: (error as Error).message }, 'an event listener failed');
    }
  }

  #now(): number {
    return this.#options.now?.() ?? Math.floor(Date.now() / 1000);
  }
}

/** Where an actor's line goes in the host's log: a thread's stdout and stderr as info and warn, `critical` as fatal. */
function pinoLevel(level: ActorLogLevel): 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' {
  return level === 'stderr' ? 'warn' : level === 'stdout' ? 'info' : level === 'critical' ? 'fatal' : level;
}

function streamOf(level: ActorLogLevel): { stream?: 'stdout' | 'stderr' } {
  return level === 'stdout' || level === 'stderr' ? { stream: level } : {};
}

function camelCase(kebab: string): string {
  return kebab.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function definedLimits(options: StartActorOptions): Partial<PoolLimits> {
  return Object.fromEntries(
    (['maxInstances', 'queueLimit', 'deadlineMs'] as const).filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
  );
}
