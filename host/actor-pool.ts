import type { AccessEntry, ListenSpec } from './http-ingress/index.ts';
import { HttpServerError } from './errors.ts';
import type { ImportCall, Invocation, InvocationErrorCode, InvocationResult, TenantSetup, WorkerSetup, WorkerStats } from './actor-protocol.ts';
import { ActorThread, type TenantHooks } from './actor-thread.ts';
import type { SharedThreads } from './shared-threads.ts';
import type { ActorLogLevel } from './wasi/index.ts';
import type { CallOutcome } from './router.ts';

export interface PoolLimits {
  readonly maxInstances: number;
  /** Invocations waiting for a free instance; one more gets ACTOR_BUSY. */
  readonly queueLimit: number;
  readonly deadlineMs: number;
}

export interface PoolPlacement {
  /** Threads of its own rather than the host's shared ones. */
  readonly isolated: boolean;
  /** An instance unused this long is dropped (scale to zero). */
  readonly idleMs: number;
}

export interface PoolHooks {
  routeImport(call: ImportCall): Promise<CallOutcome>;
  log(level: ActorLogLevel, context: string, message: string): void;
  /** A failed invocation: a trap, a deadline or a crash. */
  failed(code: InvocationErrorCode, message: string): void;
  /** Requests the actor's own listeners served. */
  access(entries: readonly AccessEntry[]): void;
  /** It overran its deadline on a shared thread: from now on it runs on threads of its own. */
  isolated(message: string): void;
}

/** One of the actor's instances: its place on a thread (shared, or its own). */
interface Lane {
  readonly thread: ActorThread;
  readonly tenant: number;
  readonly own: boolean;
  busy: boolean;
  /** Leaves once its call finishes: the actor moved to threads of its own. */
  retiring: boolean;
  /** Its thread's listener for each of the actor's listeners. */
  readonly listeners: Map<number, number>;
}

interface Waiting {
  readonly invocation: Invocation;
  readonly settle: (result: InvocationResult) => void;
}

/**
 * An actor's instances: up to `maxInstances` places on actor threads (the host's shared threads,
 * at most one place on each, or threads of its own when isolated), each serving one invocation at
 * a time, with a bounded queue in front. The threads keep deadlines and replace what traps or
 * overruns; an actor that overruns on a shared thread is isolated from then on.
 */
export class ActorPool {
  readonly #setup: WorkerSetup;
  readonly #hooks: PoolHooks;
  readonly #shared: SharedThreads;
  readonly #idleMs: number;
  #limits: PoolLimits;
  #isolated: boolean;
  readonly #lanes: Lane[] = [];
  readonly #queue: Waiting[] = [];
  #nextListener = 0;
  /** Listeners closing in their threads. */
  readonly #unlistening = new Set<Promise<void>>();
  #stopping = false;
  #idle: (() => void) | undefined;
  /** Addresses every instance of this actor listens on, by listener id. */
  readonly #listeners = new Map<number, ListenSpec>();

  constructor(setup: WorkerSetup, limits: PoolLimits, placement: PoolPlacement, shared: SharedThreads, hooks: PoolHooks) {
    this.#setup = setup;
    this.#limits = limits;
    this.#isolated = placement.isolated;
    this.#idleMs = placement.idleMs;
    this.#shared = shared;
    this.#hooks = hooks;
  }

  get limits(): PoolLimits {
    return this.#limits;
  }

  /** On threads of its own: asked for, or since it overran on a shared one. */
  get isolated(): boolean {
    return this.#isolated;
  }

  get inFlight(): number {
    return this.#lanes.filter((lane) => lane.busy).length;
  }

  invoke(invocation: Invocation): Promise<InvocationResult> {
    if (this.#stopping) return Promise.resolve(failure('ACTOR_STOPPING', 'the actor is stopping and takes no new calls'));
    return new Promise((settle) => {
      const lane = this.#freeLane();
      if (lane) return void this.#run(lane, invocation, settle);
      if (this.#queue.length >= this.#limits.queueLimit) {
        return settle(failure('ACTOR_BUSY', `all ${this.#capacity()} instances are busy and ${this.#queue.length} calls are queued`));
      }
      this.#queue.push({ invocation, settle });
    });
  }

  scale(maxInstances: number): void {
    this.#limits = { ...this.#limits, maxInstances };
    for (const lane of this.#active().filter((l) => !l.busy).slice(this.#capacity())) void this.#discard(lane);
    this.#pump();
    if (this.#listeners.size > 0) this.#serveListeners();
  }

  /** Refuses new calls, lets the ones in flight finish, then leaves every thread. */
  async drain(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#listeners.keys()].map((id) => this.unlisten(id)));
    // A listener handed over to a next version lets its connections go in its own time: not cut short.
    await Promise.all(this.#unlistening);
    for (const waiting of this.#queue.splice(0)) waiting.settle(failure('ACTOR_STOPPING', 'the actor stopped before this call started'));
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await Promise.all([...this.#lanes].map((lane) => this.#discard(lane)));
  }

  /**
   * Every instance of the actor listens on `spec` (SO_REUSEPORT) in its thread, up to
   * `maxInstances` of them, placed now if need be. Rejects, listening nowhere, when one cannot.
   */
  async listen(spec: ListenSpec): Promise<number> {
    if (this.#stopping) throw new HttpServerError('HTTP_LISTEN_FAILED', 'the actor is stopping and takes no new listener');
    // Placed before the listener is known, so that each is told of it once, here.
    this.#serveListeners();
    const id = this.#nextListener++;
    this.#listeners.set(id, spec);
    const results = await Promise.allSettled(this.#lanes.map((lane) => this.#listenOn(lane, id, spec)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) {
      await this.unlisten(id);
      throw failed.reason;
    }
    return id;
  }

  /**
   * Each instance stops accepting on the listener, lets its requests in flight finish, and closes
   * it; with `handover` (another listener has the address now), its connections go as clients expect.
   */
  async unlisten(id: number, handover = false): Promise<void> {
    if (!this.#listeners.delete(id)) return;
    const closing = Promise.all(
      this.#lanes.map((lane) => {
        const listener = lane.listeners.get(id);
        lane.listeners.delete(id);
        return listener === undefined ? undefined : lane.thread.unlisten(listener, handover);
      }),
    ).then(() => {});
    this.#unlistening.add(closing);
    await closing.finally(() => this.#unlistening.delete(closing));
  }

  /** Instances, sockets and requests in flight, summed over its places, and its threads' largest young generation; `workers` counts the places. */
  async stats(): Promise<WorkerStats & { workers: number }> {
    const reports = await Promise.all(this.#lanes.map((lane) => lane.thread.stats(lane.tenant)));
    const sum = (key: keyof WorkerStats) => reports.reduce((total, report) => total + report[key], 0);
    return {
      workers: this.#lanes.length,
      instances: sum('instances'),
      openSockets: sum('openSockets'),
      inFlight: sum('inFlight'),
      youngGenerationBytes: Math.max(0, ...reports.map((report) => report.youngGenerationBytes)),
    };
  }

  /** How many instances it may have: on shared threads, one per thread at most. */
  #capacity(): number {
    return this.#isolated ? this.#limits.maxInstances : Math.min(this.#limits.maxInstances, this.#shared.size);
  }

  #active(): Lane[] {
    return this.#lanes.filter((lane) => !lane.retiring);
  }

  /** Brings its places up to its capacity: listening needs them even when no invocation asks for one. */
  #serveListeners(): void {
    while (this.#active().length < this.#capacity()) this.#addLane(false);
  }

  async #listenOn(lane: Lane, id: number, spec: ListenSpec): Promise<void> {
    lane.listeners.set(id, await lane.thread.listen(lane.tenant, spec));
  }

  /**
   * An idle instance whose thread can run the call now, the least busy first. When every idle one
   * is on a thread blocked in an import (an actor there calls this one, say), the instance moves
   * to another thread rather than wait for a thread that waits on it; it stays there, so an actor
   * that calls another on every request pays for the move once.
   */
  #freeLane(): Lane | undefined {
    let ready: Lane | undefined;
    let blocked: Lane | undefined;
    let active = 0;
    for (const lane of this.#lanes) {
      if (lane.retiring) continue;
      active++;
      if (lane.busy) continue;
      if (lane.thread.importing) blocked ??= lane;
      else if (!ready || lane.thread.load < ready.thread.load) ready = lane;
    }
    if (ready) return ready;
    if (active < this.#capacity()) return this.#addLane(true);
    if (!blocked) return undefined;
    blocked.retiring = true;
    const moved = this.#addLane(true);
    void this.#discard(blocked);
    return moved;
  }

  #addLane(free: boolean): Lane {
    const taken = new Set(this.#lanes.map((lane) => lane.thread));
    const shared = this.#isolated ? undefined : (this.#shared.place(taken, free) ?? (free ? undefined : this.#shared.place(taken)));
    const thread = shared ?? new ActorThread({ shared: false, log: (level, message) => this.#hooks.log(level, 'worker', message) });
    const setup: TenantSetup = { ...this.#setup, deadlineMs: this.#limits.deadlineMs, queueLimit: this.#limits.queueLimit, idleMs: this.#idleMs };
    let lane!: Lane;
    const hooks: TenantHooks = {
      routeImport: (call) => this.#hooks.routeImport(call),
      log: (level, context, message) => this.#hooks.log(level, context, message),
      access: (entries) => this.#hooks.access(entries),
      failed: (code, message) => this.#hooks.failed(code, message),
      overran: (message) => this.#overran(lane, message),
    };
    lane = { thread, tenant: thread.addTenant(setup, hooks), own: !shared, busy: false, retiring: false, listeners: new Map() };
    this.#lanes.push(lane);
    // Whichever way an instance is placed (scaling, isolation), it serves every listener.
    for (const [id, spec] of this.#listeners) {
      this.#listenOn(lane, id, spec).catch((error: Error) => this.#hooks.log('warn', 'http', `a new instance cannot listen on ${spec.host}:${spec.port}: ${error.message}`));
    }
    return lane;
  }

  /** Its guest held a shared thread past the deadline: that place is gone, and the others leave once idle. */
  #overran(lane: Lane, message: string): void {
    const index = this.#lanes.indexOf(lane);
    if (index >= 0) this.#lanes.splice(index, 1);
    if (!this.#isolated) {
      this.#isolated = true;
      this.#hooks.isolated(message);
    }
    // Its own threads listen before the shared places stop, so its address never goes unserved.
    if (this.#listeners.size > 0 && !this.#stopping) this.#serveListeners();
    for (const other of this.#lanes.filter((l) => !l.own)) {
      other.retiring = true;
      if (!other.busy) void this.#discard(other);
    }
    this.#pump();
  }

  #run(lane: Lane, invocation: Invocation, settle: (result: InvocationResult) => void): void {
    lane.busy = true;
    void lane.thread.run(lane.tenant, invocation).then((result) => this.#finish(lane, result, settle));
  }

  #finish(lane: Lane, result: InvocationResult, settle: (result: InvocationResult) => void): void {
    lane.busy = false;
    if (!result.ok) this.#hooks.failed(result.code, result.message);
    settle(result);
    if (this.#lanes.includes(lane) && (lane.retiring || this.#active().length > this.#capacity())) void this.#discard(lane);
    this.#pump();
  }

  async #discard(lane: Lane): Promise<void> {
    const index = this.#lanes.indexOf(lane);
    if (index >= 0) this.#lanes.splice(index, 1);
    if (lane.own) await lane.thread.end();
    else await lane.thread.removeTenant(lane.tenant);
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const lane = this.#freeLane();
      if (!lane) break;
      const next = this.#queue.shift()!;
      this.#run(lane, next.invocation, next.settle);
    }
    if (this.#stopping && this.inFlight === 0) this.#idle?.();
  }
}

function failure(code: InvocationErrorCode, message: string): Extract<InvocationResult, { ok: false }> {
  return { ok: false, code, message };
}
