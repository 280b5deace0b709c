import { Worker } from 'node:worker_threads';
import type { AccessEntry, ListenSpec } from './http-ingress/index.ts';
import { HttpServerError, isErrorCode, type HttpServerErrorCode } from './errors.ts';
import {
  BUSY_BEGUN,
  BUSY_RUNNING,
  type FromWorker,
  type ImportCall,
  type Invocation,
  type InvocationErrorCode,
  type InvocationReply,
  type InvocationRequest,
  type InvocationResult,
  type ToWorker,
  type WorkerData,
  type WorkerSetup,
  type WorkerStats,
} from './actor-protocol.ts';
import { InvocationChannel } from './invocation-channel.ts';
import type { ActorLogLevel } from './wasi/index.ts';
import type { CallOutcome } from './router.ts';

export interface PoolLimits {
  readonly maxInstances: number;
  /** Invocations waiting for a free instance; one more gets ACTOR_BUSY. */
  readonly queueLimit: number;
  readonly deadlineMs: number;
}

export interface PoolHooks {
  routeImport(call: ImportCall): Promise<CallOutcome>;
  log(level: ActorLogLevel, context: string, message: string): void;
  /** A failed invocation: a trap, a deadline or a crash. */
  failed(code: InvocationErrorCode, message: string): void;
  /** Requests the actor's own listeners served. */
  access(entries: readonly AccessEntry[]): void;
}

interface Slot {
  readonly worker: Worker;
  readonly channel: InvocationChannel<InvocationRequest, InvocationReply, ImportCall, CallOutcome>;
  readonly ready: Promise<void>;
  /** Set once `ready` has resolved, so a warm call skips the wait (and its timer) entirely. */
  isReady: boolean;
  busy: boolean;
  current?: { readonly id: number; readonly settle: (result: InvocationResult) => void };
  /** The worker's [requests begun, one running] counters, and what the watchdog saw last. */
  readonly httpBusy: Int32Array;
  watched?: { readonly begun: number; readonly since: number };
  /** Answers to listen, unlisten and stats messages, by message id. */
  readonly replies: Map<number, (message: FromWorker) => void>;
}

interface Waiting {
  readonly invocation: Invocation;
  readonly settle: (result: InvocationResult) => void;
}

// Sources run as TypeScript in a checkout and as JavaScript once compiled.
const WORKER = new URL(`./actor-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * An actor's instances: up to `maxInstances` worker threads, each serving one invocation at a
 * time, with a bounded queue in front. A worker that overruns its deadline is terminated; one that
 * traps replaces its instance itself; the next invocation gets a fresh worker either way.
 */
export class ActorPool {
  readonly #setup: WorkerSetup;
  readonly #hooks: PoolHooks;
  #limits: PoolLimits;
  readonly #slots: Slot[] = [];
  readonly #queue: Waiting[] = [];
  #nextId = 0;
  /** Listeners closing in their workers. */
  readonly #unlistening = new Set<Promise<void>>();
  #stopping = false;
  #idle: (() => void) | undefined;
  /** Addresses every worker of this actor listens on, by listener id. */
  readonly #listeners = new Map<number, ListenSpec>();
  #watchdog: NodeJS.Timeout | undefined;

  constructor(setup: WorkerSetup, limits: PoolLimits, hooks: PoolHooks) {
    this.#setup = setup;
    this.#limits = limits;
    this.#hooks = hooks;
  }

  get limits(): PoolLimits {
    return this.#limits;
  }

  get inFlight(): number {
    return this.#slots.filter((slot) => slot.busy).length;
  }

  invoke(invocation: Invocation): Promise<InvocationResult> {
    if (this.#stopping) return Promise.resolve(failure('ACTOR_STOPPING', 'the actor is stopping and takes no new calls'));
    return new Promise((settle) => {
      const slot = this.#freeSlot();
      if (slot) return void this.#run(slot, invocation, settle);
      if (this.#queue.length >= this.#limits.queueLimit) {
        return settle(failure('ACTOR_BUSY', `all ${this.#limits.maxInstances} instances are busy and ${this.#queue.length} calls are queued`));
      }
      this.#queue.push({ invocation, settle });
    });
  }

  scale(maxInstances: number): void {
    this.#limits = { ...this.#limits, maxInstances };
    for (const slot of this.#slots.filter((s) => !s.busy).slice(maxInstances)) this.#discard(slot);
    this.#pump();
    if (this.#listeners.size > 0) this.#serveListeners();
  }

  /** Refuses new calls, lets the ones in flight finish, then ends every worker. */
  async drain(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#listeners.keys()].map((id) => this.unlisten(id)));
    // A listener handed over to a next version lets its connections go in its own time: not cut short.
    await Promise.all(this.#unlistening);
    for (const waiting of this.#queue.splice(0)) waiting.settle(failure('ACTOR_STOPPING', 'the actor stopped before this call started'));
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await Promise.all([...this.#slots].map((slot) => this.#discard(slot)));
  }

  /**
   * Every worker of the actor listens on `spec` (SO_REUSEPORT), up to `maxInstances` of them,
   * started now if need be. Rejects, listening nowhere, when any worker cannot.
   */
  async listen(spec: ListenSpec): Promise<number> {
    if (this.#stopping) throw new HttpServerError('HTTP_LISTEN_FAILED', 'the actor is stopping and takes no new listener');
    // Started before the listener is known, so that each is told of it once, here.
    while (this.#slots.length < this.#limits.maxInstances) this.#spawn();
    const id = this.#nextId++;
    this.#listeners.set(id, spec);
    this.#watch();
    const answers = await Promise.all(this.#slots.map((slot) => this.#ask(slot, { type: 'listen', id, spec })));
    const failed = answers.find((answer) => answer.type === 'listening' && answer.error);
    if (failed && failed.type === 'listening') {
      await this.unlisten(id);
      const { code, message } = failed.error!;
      throw new HttpServerError(code.startsWith('HTTP_') && isErrorCode(code) ? (code as HttpServerErrorCode) : 'HTTP_LISTEN_FAILED', message);
    }
    return id;
  }

  /**
   * Each worker stops accepting on the listener, lets its requests in flight finish, and closes it;
   * with `handover` (another listener has the address now), its connections go as clients expect.
   */
  async unlisten(id: number, handover = false): Promise<void> {
    if (!this.#listeners.delete(id)) return;
    const closing = Promise.all(this.#slots.map((slot) => this.#ask(slot, { type: 'unlisten', id, handover }))).then(() => {});
    this.#unlistening.add(closing);
    await closing.finally(() => this.#unlistening.delete(closing));
    if (this.#listeners.size === 0) {
      clearInterval(this.#watchdog);
      this.#watchdog = undefined;
    }
  }

  /** Instances, sockets and requests in flight, summed over the workers. */
  async stats(): Promise<WorkerStats & { workers: number }> {
    const reports = await Promise.all(this.#slots.map((slot) => this.#ask(slot, { type: 'stats', id: this.#nextId++ })));
    const sum = (key: keyof WorkerStats) => reports.reduce((total, report) => total + (report.type === 'stats' ? report.stats[key] : 0), 0);
    return { workers: this.#slots.length, instances: sum('instances'), openSockets: sum('openSockets'), inFlight: sum('inFlight') };
  }

  #ask(slot: Slot, message: ToWorker): Promise<FromWorker> {
    return new Promise((resolve) => {
      slot.replies.set(message.id, resolve);
      slot.worker.postMessage(message);
      slot.channel.wakeForMessages();
    });
  }

  /** Brings the workers back up to `maxInstances`: listening needs them even when no invocation asks for one. */
  #serveListeners(): void {
    while (this.#slots.length < this.#limits.maxInstances) this.#spawn();
  }

  /**
   * A worker serving its own HTTP requests keeps their deadlines itself, unless the guest is stuck
   * in a loop: then its timers never run, and only ending the thread stops it.
   */
  #watch(): void {
    if (this.#watchdog) return;
    const every = Math.max(50, Math.min(1000, this.#limits.deadlineMs / 4));
    this.#watchdog = setInterval(() => {
      const now = performance.now();
      for (const slot of [...this.#slots]) {
        const begun = Atomics.load(slot.httpBusy, BUSY_BEGUN);
        if (Atomics.load(slot.httpBusy, BUSY_RUNNING) === 0) slot.watched = undefined;
        else if (slot.watched?.begun !== begun) slot.watched = { begun, since: now };
        else if (now - slot.watched.since > this.#limits.deadlineMs + every) {
          this.#hooks.failed('ACTOR_DEADLINE', `an HTTP request ran past its ${this.#limits.deadlineMs} ms deadline without yielding; the worker was ended`);
          this.#lose(slot, failure('ACTOR_DEADLINE', 'the worker was ended while stuck in an HTTP request'));
        }
      }
    }, every).unref();
  }

  #freeSlot(): Slot | undefined {
    const idle = this.#slots.find((slot) => !slot.busy);
    if (idle) return idle;
    return this.#slots.length < this.#limits.maxInstances ? this.#spawn() : undefined;
  }

  #spawn(): Slot {
    const channel = new InvocationChannel<InvocationRequest, InvocationReply, ImportCall, CallOutcome>((call) =>
      this.#hooks.routeImport(call),
    );
    const busy = new SharedArrayBuffer(8);
    const workerData: WorkerData = { ...this.#setup, channel: channel.workerEnd, deadlineMs: this.#limits.deadlineMs, queueLimit: this.#limits.queueLimit, busy };
    // Whatever the thread writes to its own stdout or stderr (jco's generated code does, on some
    // failures) becomes the actor's structured log lines, never raw lines in the host's output.
    const worker = new Worker(WORKER, { workerData, transferList: [channel.workerEnd.invocations, channel.workerEnd.imports], stdout: true, stderr: true });
    for (const stream of ['stdout', 'stderr'] as const) {
      worker[stream].setEncoding('utf8');
      worker[stream].on('data', (text: string) => {
        for (const line of text.split('\n')) if (line.trim() !== '') this.#hooks.log(stream, 'worker', line.trimEnd());
      });
    }
    let markReady!: () => void;
    const slot: Slot = {
      worker,
      channel,
      ready: new Promise((resolve) => (markReady = resolve)),
      isReady: false,
      busy: false,
      httpBusy: new Int32Array(busy),
      replies: new Map(),
    };
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          slot.isReady = true;
          return markReady();
        case 'log':
          return this.#hooks.log(message.level, message.context, message.message);
        case 'access':
          return this.#hooks.access(message.entries);
        default: {
          const reply = slot.replies.get(message.id);
          slot.replies.delete(message.id);
          return reply?.(message);
        }
      }
    });
    worker.on('error', (error) => this.#lose(slot, failure('ACTOR_CRASHED', `the actor's worker failed: ${error.message}`)));
    worker.on('exit', () => this.#lose(slot, failure('ACTOR_CRASHED', "the actor's worker exited")));
    this.#slots.push(slot);
    // Whichever way a worker starts (scaling, replacing a lost one), it serves every listener.
    for (const [id, spec] of this.#listeners) {
      void this.#ask(slot, { type: 'listen', id, spec }).then((answer) => {
        if (answer.type === 'listening' && answer.error) this.#hooks.log('warn', 'http', `a new worker cannot listen on ${spec.host}:${spec.port}: ${answer.error.message}`);
      });
    }
    return slot;
  }

  #run(slot: Slot, invocation: Invocation, settle: (result: InvocationResult) => void): void {
    slot.busy = true;
    const id = this.#nextId++;
    slot.current = { id, settle };
    void this.#exchange(slot, id, invocation);
  }

  async #exchange(slot: Slot, id: number, invocation: Invocation): Promise<void> {
    const deadline = this.#limits.deadlineMs;
    if (!slot.isReady) {
      const started = await Promise.race([slot.ready.then(() => true), sleep(deadline).then(() => false)]);
      if (slot.current?.id !== id) return;
      if (!started) return this.#lose(slot, failure('ACTOR_DEADLINE', `the actor did not start within its ${deadline} ms deadline`));
    }
    slot.channel.send({ id, invocation });
    const answer = await slot.channel.receive(deadline);
    if (slot.current?.id !== id) return;
    // The guest may be in an endless loop: only ending its thread stops it.
    if (!answer) return this.#lose(slot, failure('ACTOR_DEADLINE', `the call ran past its ${deadline} ms deadline and was ended`));
    this.#finish(slot, answer.result);
  }

  #finish(slot: Slot, result: InvocationResult): void {
    const current = slot.current;
    if (!current) return;
    slot.current = undefined;
    slot.busy = false;
    if (!result.ok) this.#hooks.failed(result.code, result.message);
    current.settle(result);
    if (this.#slots.length > this.#limits.maxInstances) this.#discard(slot);
    this.#pump();
  }

  /** The worker is gone or must go: answer its call, forget it, and serve the queue with a new one. */
  #lose(slot: Slot, result: Extract<InvocationResult, { ok: false }>): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    // Forget the slot before answering, so the queue is never served by a dying worker.
    this.#slots.splice(index, 1);
    if (slot.current) this.#finish(slot, result);
    void this.#discard(slot);
    this.#pump();
    // Listening needs workers even when no invocation asks for one.
    if (this.#listeners.size > 0 && !this.#stopping) this.#serveListeners();
  }

  async #discard(slot: Slot): Promise<void> {
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    slot.worker.removeAllListeners('exit');
    slot.channel.abandon();
    for (const reply of slot.replies.values()) reply({ type: 'unlistened', id: -1 });
    slot.replies.clear();
    await slot.worker.terminate();
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const slot = this.#freeSlot();
      if (!slot) break;
      const next = this.#queue.shift()!;
      this.#run(slot, next.invocation, next.settle);
    }
    if (this.#stopping && this.inFlight === 0) this.#idle?.();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function failure(code: InvocationErrorCode, message: string): Extract<InvocationResult, { ok: false }> {
  return { ok: false, code, message };
}
