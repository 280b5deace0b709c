import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AccessEntry, ListenSpec } from './http-ingress/index.ts';
import { HttpServerError, isErrorCode, type HttpServerErrorCode } from './errors.ts';
import {
  BUSY_BEGUN,
  BUSY_HTTP,
  BUSY_RUNNING,
  BUSY_SLOTS,
  BUSY_TENANT,
  GENERATION_KEPT_READS,
  GENERATION_ROUTING,
  GENERATION_SLOTS,
  type FromWorker,
  type ImportCall,
  type Invocation,
  type InvocationErrorCode,
  type InvocationReply,
  type InvocationRequest,
  type InvocationResult,
  type TenantSetup,
  type ToWorker,
  type WorkerData,
  type WorkerStats,
} from './actor-protocol.ts';
import { InvocationChannel } from './invocation-channel.ts';
import type { ActorLogLevel } from './wasi/index.ts';
import type { CallOutcome } from './router.ts';

/** What a thread tells the actor it runs (its tenant's owner). */
export interface TenantHooks {
  routeImport(call: ImportCall): Promise<CallOutcome>;
  log(level: ActorLogLevel, context: string, message: string): void;
  /** Requests the actor's own listeners served. */
  access(entries: readonly AccessEntry[]): void;
  /** A failure that no call of the actor's hears about: an HTTP request whose thread was ended. */
  failed(code: InvocationErrorCode, message: string): void;
  /** A shared thread was ended because this actor's guest held it past its deadline: the actor is no longer on it. */
  overran(message: string): void;
}

interface Tenant {
  readonly setup: TenantSetup;
  readonly hooks: TenantHooks;
  /** Loaded in the current thread: undefined, or why it could not be. */
  added: Promise<string | undefined>;
  /** The thread it was last loaded into without a problem: a call to it there needs no wait. */
  loadedIn?: Generation;
  /** Its listeners, by id: a new thread listens on them again. */
  readonly listeners: Map<number, ListenSpec>;
  /** Being removed: it takes no new calls, and a new thread does not load it. */
  leaving?: boolean;
}

interface Job {
  readonly tenant: number;
  readonly invocation: Invocation;
  readonly settle: (result: InvocationResult) => void;
}

/** One running worker: replaced, with its tenants, when it must be ended. */
interface Generation {
  readonly worker: Worker;
  readonly channel: InvocationChannel<InvocationRequest, InvocationReply, ImportCall, CallOutcome>;
  readonly busy: Int32Array;
  readonly ready: Promise<void>;
  /** Set once `ready` has resolved, so a warm call skips the wait entirely. */
  isReady: boolean;
  /** Answers to port messages, by message id. */
  readonly replies: Map<number, (message: FromWorker) => void>;
  /** The call the watchdog follows: when it first saw it, and the thread's import time then. */
  watched?: { readonly begun: number; readonly since: number; readonly importedMs: number };
}

/**
 * How long one import may hold a thread, whatever the deadline: a provider that never answers
 * ends the thread then. Providers bound their own waits below it (the NATS key-value store rides
 * out a server's loss for up to 30 s). A whole call may take its deadline and this much more.
 */
export const IMPORT_HOLD_LIMIT_MS = 60_000;

/**
 * V8 sizes a thread's young generation from the machine's memory, not from what the thread does:
 * on a 24 GB machine an actor thread's grew to 128 MB, and the demo's two actor threads held 160
 * and 90 MB of heap for about 30 MB of live objects each, growing in steps under load. An actor
 * thread's garbage is a request's worth at a time: with this cap the demo served as many requests
 * in the soak bench in 150–200 MB less.
 */
export const ACTOR_THREAD_YOUNG_GENERATION_MB = 16;

export interface ActorThreadOptions {
  /** A shared thread gives up a tenant that overran its deadline; a thread of an actor's own keeps it. */
  readonly shared: boolean;
  /** Where the thread's own output goes when no actor's guest is running. */
  readonly log: (level: ActorLogLevel, message: string) => void;
}

/** See #ask. */
const ASK_REWAKE_MS = 500;
const ASK_SLOW_MS = 5000;

// Sources run as TypeScript in a checkout and as JavaScript once compiled.
const WORKER = new URL(`./actor-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** What each live actor thread of the process is running (BUSY_RUNNING), whoever owns it. */
const liveThreads = new Set<Int32Array>();
const cores = availableParallelism();

/** While fewer guests run than there are cores, the host may spin for a result rather than sleep: a core is free. */
function coreToSpare(): boolean {
  let running = 0;
  for (const busy of liveThreads) running += Atomics.load(busy, BUSY_RUNNING);
  return running < cores;
}

/**
 * What actors' threads check what they remember against. GENERATION_ROUTING is bumped whenever a
 * link or a provider of any host in this process comes or goes: a thread trusts a remembered
 * import (a contract's `rememberedImports`) or a kept read only while it is unchanged.
 * GENERATION_KEPT_READS is bumped after each write to a store whose reads threads keep. One set
 * for the process, not one per host or per store: another's change only costs a crossing.
 */
const generations = new Int32Array(new SharedArrayBuffer(4 * GENERATION_SLOTS));

export function routesChanged(): void {
  Atomics.add(generations, GENERATION_ROUTING, 1);
}

/**
 * Every actor thread in the process forgets the reads it kept (see Provider.keepsReads): a
 * provider calls it once a write to such a store has settled, before it answers the write.
 */
export function forgetKeptReads(): void {
  Atomics.add(generations, GENERATION_KEPT_READS, 1);
}

/** Tenant and listener ids are unique in the process, so a stale one never names another. Zero means none. */
let nextTenant = 1;
let nextListener = 1;

/**
 * An actor thread, from the host's side: one worker that runs the actors placed on it (its
 * tenants), one guest at a time. Invocations wait here in arrival order and go to the worker one
 * by one. When a guest holds the thread past its deadline without yielding, the worker is ended:
 * that call fails, the other tenants get a fresh worker at once, their listeners open again, and
 * work that had not begun runs there. On a shared thread the tenant that overran leaves.
 */
export class ActorThread {
  readonly #options: ActorThreadOptions;
  readonly #tenants = new Map<number, Tenant>();
  readonly #queue: Job[] = [];
  #current: Job | undefined;
  #generation: Generation;
  #nextMessage = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #ended = false;

  constructor(options: ActorThreadOptions) {
    this.#options = options;
    this.#generation = this.#start();
  }

  get shared(): boolean {
    return this.#options.shared;
  }

  get tenants(): number {
    return this.#tenants.size;
  }

  /** Invocations waiting for this thread or running on it. */
  get load(): number {
    return this.#queue.length + (this.#current ? 1 : 0);
  }

  /** True while the host runs an import for a guest here: nothing else runs on the thread until it returns. */
  get importing(): boolean {
    return this.#generation.channel.importing;
  }

  /** Places an actor on the thread; its calls may be sent at once (they wait for it to load). */
  addTenant(setup: TenantSetup, hooks: TenantHooks): number {
    const id = nextTenant++;
    const tenant: Tenant = { setup, hooks, added: Promise.resolve(undefined), listeners: new Map() };
    this.#tenants.set(id, tenant);
    tenant.added = this.#load(this.#generation, id, tenant);
    this.#watch();
    return id;
  }

  /** Resolves once the tenant is loaded; rejects with why it could not be. */
  async loaded(tenant: number): Promise<void> {
    const problem = await this.#tenants.get(tenant)?.added;
    if (problem !== undefined) throw new Error(problem);
  }

  /** The actor leaves the thread: its listeners close and its instance goes. Its calls must have finished. */
  async removeTenant(tenant: number): Promise<void> {
    const leaving = this.#tenants.get(tenant);
    if (!leaving || leaving.leaving) return;
    leaving.leaving = true;
    for (const job of this.#queue.filter((queued) => queued.tenant === tenant)) {
      this.#queue.splice(this.#queue.indexOf(job), 1);
      job.settle(failure('ACTOR_STOPPING', 'the actor left its thread before this call started'));
    }
    // Removed before it is loaded, the thread would load it after and keep it.
    await leaving.added;
    await this.#ask(this.#generation, { type: 'remove-tenant', id: this.#nextMessage++, tenant });
    // Only now: what it logged before it left arrives ahead of the answer, and still has an owner.
    this.#tenants.delete(tenant);
  }

  run(tenant: number, invocation: Invocation): Promise<InvocationResult> {
    if (this.#ended || !this.#tenants.has(tenant) || this.#tenants.get(tenant)!.leaving) return Promise.resolve(failure('ACTOR_STOPPING', 'the actor is no longer on this thread'));
    return new Promise((settle) => {
      this.#queue.push({ tenant, invocation, settle });
      this.#next();
    });
  }

  /** The tenant listens on `spec` in this thread (SO_REUSEPORT); rejects, listening nowhere, when it cannot. */
  async listen(tenant: number, spec: ListenSpec): Promise<number> {
    const owner = this.#tenants.get(tenant);
    if (!owner) throw new HttpServerError('HTTP_LISTEN_FAILED', 'the actor is no longer on this thread');
    const listener = nextListener++;
    let generation: Generation;
    do {
      generation = this.#generation;
      const problem = await owner.added;
      if (problem !== undefined) throw new HttpServerError('HTTP_LISTEN_FAILED', `the actor could not be loaded in its thread: ${problem}`);
      // A thread replaced meanwhile: wait for the actor to load in the new one.
    } while (generation !== this.#generation);
    if (!this.#tenants.has(tenant)) throw new HttpServerError('HTTP_LISTEN_FAILED', 'the actor is no longer on this thread');
    // Known from here on, it is opened again by any thread that replaces this one.
    owner.listeners.set(listener, spec);
    const answer = await this.#ask(generation, { type: 'listen', id: this.#nextMessage++, tenant, listener, spec });
    if (answer.type === 'listening' && answer.error) {
      owner.listeners.delete(listener);
      const { code, message } = answer.error;
      throw new HttpServerError(code.startsWith('HTTP_') && isErrorCode(code) ? (code as HttpServerErrorCode) : 'HTTP_LISTEN_FAILED', message);
    }
    return listener;
  }

  /**
   * Stops accepting on the listener, lets its requests in flight finish, and closes it; with
   * `handover` (another listener has the address now), its connections go as clients expect.
   */
  async unlisten(listener: number, handover = false): Promise<void> {
    const owner = [...this.#tenants.values()].find((tenant) => tenant.listeners.has(listener));
    if (!owner) return;
    owner.listeners.delete(listener);
    await this.#ask(this.#generation, { type: 'unlisten', id: this.#nextMessage++, listener, handover });
  }

  /** The tenant's instances, sockets and requests in flight, and the thread's young generation. */
  async stats(tenant: number): Promise<WorkerStats> {
    const answer = await this.#ask(this.#generation, { type: 'stats', id: this.#nextMessage++, tenant });
    return answer.type === 'stats' ? answer.stats : { instances: 0, openSockets: 0, inFlight: 0, youngGenerationBytes: 0 };
  }

  /** Ends the thread; calls not yet answered are refused. */
  async end(): Promise<void> {
    this.#ended = true;
    clearInterval(this.#watchdog);
    for (const job of this.#queue.splice(0)) job.settle(failure('ACTOR_STOPPING', 'the thread ended before this call started'));
    this.#current?.settle(failure('ACTOR_STOPPING', 'the thread ended during this call'));
    this.#current = undefined;
    await this.#retire(this.#generation);
  }

  #start(): Generation {
    const channel = new InvocationChannel<InvocationRequest, InvocationReply, ImportCall, CallOutcome>(
      (call) => this.#tenants.get(call.tenant)?.hooks.routeImport(call) ?? Promise.resolve({ err: undefined, reason: 'the actor is no longer on this thread' }),
      coreToSpare,
    );
    const busy = new Int32Array(new SharedArrayBuffer(4 * BUSY_SLOTS));
    const workerData: WorkerData = { channel: channel.workerEnd, busy: busy.buffer as SharedArrayBuffer, generations: generations.buffer as SharedArrayBuffer };
    liveThreads.add(busy);
    // Whatever the thread writes to its own stdout or stderr (jco's generated code does, on some
    // failures) becomes the running actor's structured log lines, never raw lines in the host's output.
    const worker = new Worker(WORKER, {
      workerData,
      transferList: [channel.workerEnd.invocations, channel.workerEnd.imports],
      stdout: true,
      stderr: true,
      resourceLimits: { maxYoungGenerationSizeMb: ACTOR_THREAD_YOUNG_GENERATION_MB },
    });
    let markReady!: () => void;
    const generation: Generation = { worker, channel, busy, ready: new Promise((resolve) => (markReady = resolve)), isReady: false, replies: new Map() };
    for (const stream of ['stdout', 'stderr'] as const) {
      worker[stream].setEncoding('utf8');
      worker[stream].on('data', (text: string) => {
        const running = Atomics.load(busy, BUSY_RUNNING) === 1 ? this.#tenants.get(Atomics.load(busy, BUSY_TENANT)) : undefined;
        for (const line of text.split('\n')) {
          if (line.trim() === '') continue;
          if (running) running.hooks.log(stream, 'worker', line.trimEnd());
          else this.#options.log(stream, line.trimEnd());
        }
      });
    }
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          generation.isReady = true;
          return markReady();
        case 'log':
          return this.#tenants.get(message.tenant)?.hooks.log(message.level, message.context, message.message);
        case 'access':
          return this.#tenants.get(message.tenant)?.hooks.access(message.entries);
        default: {
          const reply = generation.replies.get(message.id);
          generation.replies.delete(message.id);
          return reply?.(message);
        }
      }
    });
    worker.on('error', (error) => this.#lose(generation, 'ACTOR_CRASHED', `the actor's thread failed: ${error.message}`));
    worker.on('exit', () => this.#lose(generation, 'ACTOR_CRASHED', "the actor's thread exited"));
    return generation;
  }

  /** Loads a tenant in `generation`, and opens its listeners there. */
  async #load(generation: Generation, id: number, tenant: Tenant): Promise<string | undefined> {
    const answer = await this.#ask(generation, { type: 'add-tenant', id: this.#nextMessage++, tenant: id, setup: tenant.setup });
    if (answer.type === 'tenant-added' && answer.error) return answer.error;
    tenant.loadedIn = generation;
    for (const [listener, spec] of tenant.listeners) {
      void this.#ask(generation, { type: 'listen', id: this.#nextMessage++, tenant: id, listener, spec }).then((reply) => {
        if (reply.type === 'listening' && reply.error) tenant.hooks.log('warn', 'http', `a new thread cannot listen on ${spec.host}:${spec.port}: ${reply.error.message}`);
      });
    }
    return undefined;
  }

  /**
   * Posts a message to the thread and wakes it to read it. While the answer is missing the thread is
   * woken again, every ASK_REWAKE_MS: twice a host's shutdown waited forever for a `remove-tenant`
   * answer from a thread asleep with its flags down and the message unread (not reproduced on its own;
   * seen under the full test suite's load). A wake-up too many costs the thread one look at its port.
   */
  #ask(generation: Generation, message: ToWorker): Promise<FromWorker> {
    return new Promise((resolve) => {
      const asked = performance.now();
      let warned = false;
      const rewake = setInterval(() => {
        generation.channel.wakeForMessages();
        if (!warned && performance.now() - asked >= ASK_SLOW_MS) {
          warned = true;
          this.#options.log('warn', `an actor thread has not answered "${message.type}" for ${ASK_SLOW_MS / 1000} s; still waking it`);
        }
      }, ASK_REWAKE_MS).unref();
      generation.replies.set(message.id, (reply) => {
        clearInterval(rewake);
        resolve(reply);
      });
      generation.worker.postMessage(message);
      generation.channel.wakeForMessages();
    });
  }

  #next(): void {
    if (this.#current || this.#ended) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#current = job;
    void this.#exchange(this.#generation, job);
  }

  async #exchange(generation: Generation, job: Job): Promise<void> {
    const tenant = this.#tenants.get(job.tenant);
    const warm = generation.isReady && tenant?.loadedIn === generation;
    const problem = warm ? undefined : tenant ? await Promise.all([generation.ready, tenant.added]).then(([, added]) => added) : 'the actor is no longer on this thread';
    // The thread may have been lost meanwhile: then this job was answered or sent again.
    if (this.#current !== job || this.#generation !== generation) return;
    if (problem !== undefined) return this.#done(job, failure('ACTOR_CALL_FAILED', `the actor could not be loaded in its thread: ${problem}`));
    generation.channel.send({ id: 0, tenant: job.tenant, invocation: job.invocation });
    // No deadline here: the thread keeps it for a guest that waits, the watchdog for one that loops.
    const answer = await generation.channel.receive();
    if (this.#current !== job || this.#generation !== generation) return;
    this.#done(job, answer?.result ?? failure('ACTOR_CRASHED', "the actor's thread ended during the call"));
  }

  #done(job: Job, result: InvocationResult): void {
    this.#current = undefined;
    job.settle(result);
    this.#next();
  }

  /**
   * Finds a guest that holds the thread past its deadline without yielding: its timers cannot
   * run then, and only ending the thread stops it.
   */
  #watch(): void {
    if (this.#watchdog) return;
    const tick = () => {
      const deadlines = [...this.#tenants.values()].map((tenant) => tenant.setup.deadlineMs);
      const every = Math.max(25, Math.min(1000, Math.min(...deadlines) / 4));
      const generation = this.#generation;
      const { busy } = generation;
      const now = performance.now();
      const begun = Atomics.load(busy, BUSY_BEGUN);
      const tenantId = Atomics.load(busy, BUSY_TENANT);
      const deadline = this.#tenants.get(tenantId)?.setup.deadlineMs;
      const { channel, watched } = generation;
      // Time blocked in an import is the host's, running a provider for the guest, not the
      // guest's: a guest is ended for holding the thread, never for a provider that takes its time
      // (a key-value write riding out a NATS server's loss), which would reset every connection
      // the thread serves.
      const guestMs = watched ? now - watched.since - (channel.importedMs - watched.importedMs) : 0;
      if (Atomics.load(busy, BUSY_RUNNING) === 0 || deadline === undefined) generation.watched = undefined;
      else if (watched?.begun !== begun) generation.watched = { begun, since: now, importedMs: channel.importedMs };
      else if ((channel.currentImportMs ?? 0) > IMPORT_HOLD_LIMIT_MS) {
        this.#lose(generation, 'ACTOR_DEADLINE', `an import was not answered within ${IMPORT_HOLD_LIMIT_MS / 1000} s; its thread was ended`, tenantId);
      } else if (now - watched.since > deadline + IMPORT_HOLD_LIMIT_MS) {
        // A guest that calls import after import never runs long on its own: the whole call is bounded too.
        this.#lose(generation, 'ACTOR_DEADLINE', `the call held its thread for ${Math.round((now - watched.since) / 1000)} s, most of it in imports; its thread was ended`, tenantId);
      } else if (guestMs > deadline + every) {
        const http = Atomics.load(busy, BUSY_HTTP) === 1;
        this.#lose(
          generation,
          'ACTOR_DEADLINE',
          http ? `an HTTP request ran past its ${deadline} ms deadline without yielding; its thread was ended` : `the call ran past its ${deadline} ms deadline and its thread was ended`,
          tenantId,
        );
      }
      this.#watchdog = this.#tenants.size > 0 && !this.#ended ? setTimeout(tick, every).unref() : undefined;
    };
    this.#watchdog = setTimeout(tick, 25).unref();
  }

  /**
   * The worker is gone or must go. The call running on it fails; a call sent but not begun (it
   * waited behind an HTTP request) runs again on the next worker, with every other tenant.
   */
  #lose(generation: Generation, code: InvocationErrorCode, message: string, offender?: number): void {
    if (this.#generation !== generation || this.#ended) return;
    const busy = generation.busy;
    const running = Atomics.load(busy, BUSY_RUNNING) === 1 ? Atomics.load(busy, BUSY_TENANT) : undefined;
    const culprit = offender ?? running;
    const runningHttp = running !== undefined && Atomics.load(busy, BUSY_HTTP) === 1;
    const job = this.#current;
    this.#current = undefined;
    if (job) {
      if (job.tenant === culprit && !runningHttp) job.settle(failure(code, message));
      else this.#queue.unshift(job);
    }
    if (culprit !== undefined) {
      const tenant = this.#tenants.get(culprit);
      if (tenant && (runningHttp || job?.tenant !== culprit)) tenant.hooks.failed(code, message);
      if (tenant && this.#options.shared && code === 'ACTOR_DEADLINE') {
        this.#tenants.delete(culprit);
        tenant.hooks.overran(message);
      }
    }
    void this.#retire(generation);
    this.#generation = this.#start();
    for (const [id, tenant] of this.#tenants) {
      if (tenant.leaving) this.#tenants.delete(id);
      else tenant.added = this.#load(this.#generation, id, tenant);
    }
    this.#next();
  }

  async #retire(generation: Generation): Promise<void> {
    liveThreads.delete(generation.busy);
    generation.worker.removeAllListeners('exit');
    generation.worker.removeAllListeners('error');
    generation.channel.abandon();
    for (const reply of generation.replies.values()) reply({ type: 'unlistened', id: -1 });
    generation.replies.clear();
    await generation.worker.terminate();
  }
}

function failure(code: InvocationErrorCode, message: string): Extract<InvocationResult, { ok: false }> {
  return { ok: false, code, message };
}
