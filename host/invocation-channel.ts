import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { SharedSlot } from './shared-slot.ts';

/**
 * How invocations reach an actor's worker and its imports reach the host. Each message is written
 * into a slot of shared memory (see shared-slot.ts), or, when the slot cannot carry it, posted on
 * one of two dedicated MessagePorts; shared flags say one is waiting, and each side spins on them
 * for a few microseconds before it sleeps. A postMessage round trip costs about 60 µs here when
 * each hop must wake the other thread's event loop; reading the port directly when a flag flips
 * costs about 20 µs; a round trip through the slots, about 2 µs.
 *
 * Between invocations a worker sleeps for real (Atomics.wait, the quickest wake-up), unless it
 * listens for HTTP requests of its own: then it awaits its flag (Atomics.waitAsync) so that its
 * event loop keeps serving them. While the host runs one of its imports it always sleeps for real:
 * the guest is in a synchronous call and nothing else may run. The host never sleeps: past a
 * short spin it awaits the flags, and runs imports (which may be async) meanwhile, whether or not
 * it is waiting for a result.
 */

/** Bits: INVOCATION_SENT and MESSAGES_SENT, cleared together by the worker when it looks. */
const REQUEST = 0;
const INVOCATION_SENT = 1;
const MESSAGES_SENT = 2;
const RESULT = 1;
const IMPORT = 2;
const IMPORT_REPLY = 3;
/** Bumped by the worker for every result and import call, so the host waits on one place. */
const ATTENTION = 4;
const MAIN_SPIN_MS = 0.05;
/**
 * While it has a core to spare, the host keeps spinning for a result or an import, between turns
 * of its event loop, for as long as such a wait usually takes on this channel (a few times its
 * running average), up to MAIN_HOT_MS. Waking a thread that sleeps costs 30 µs to a millisecond
 * here (the VM parks an idle CPU), twice per routed import. Spinning longer than a wait usually
 * takes would only keep a core from the other threads (a guest's garbage collector among them)
 * when the guest is slow for once.
 */
const MAIN_HOT_MS = 2;
const HOT_FACTOR = 3;
const WORKER_SPIN_MS = 0.1;
/** An import may wait on a disk sync or the network: spin a little longer before sleeping. */
const WORKER_IMPORT_SPIN_MS = 0.5;

/** One slot for each kind of message; each holds one at a time, as the protocol sends them. */
const REQUEST_SLOT = 0;
const RESULT_SLOT = 1;
const IMPORT_SLOT = 2;
const IMPORT_REPLY_SLOT = 3;
/** Bigger messages (an HTTP body, say) are posted. */
const SLOT_BYTES = 64 * 1024;

export interface WorkerChannelEnd {
  readonly signal: SharedArrayBuffer;
  readonly slots: SharedArrayBuffer;
  readonly invocations: MessagePort;
  readonly imports: MessagePort;
}

interface Slots {
  readonly request: SharedSlot;
  readonly result: SharedSlot;
  readonly import: SharedSlot;
  readonly importReply: SharedSlot;
}

function slotsIn(buffer: SharedArrayBuffer): Slots {
  const at = (index: number) => new SharedSlot(buffer, index * SLOT_BYTES, SLOT_BYTES);
  return { request: at(REQUEST_SLOT), result: at(RESULT_SLOT), import: at(IMPORT_SLOT), importReply: at(IMPORT_REPLY_SLOT) };
}

/**
 * Writes the message into its slot, or posts it when the slot cannot carry it. `handOver`: the
 * sender keeps nothing of the message, so byte arrays that are the whole of their own memory move
 * to the other thread rather than being copied twice (out and in) and left as garbage.
 */
function put(slot: SharedSlot, port: MessagePort, message: unknown, handOver = false): void {
  if (slot.write(message)) return;
  const moving = handOver ? ownBuffersOf(message) : [];
  try {
    port.postMessage(message, moving);
  } catch (error) {
    // Some memory cannot leave its thread (a Wasm memory's, say): then it goes as a copy.
    if (moving.length === 0) throw error;
    port.postMessage(message);
  }
}

/** Memory of byte arrays in `value` that is theirs alone (not a slice of a pool, not shared), a few levels down. */
function ownBuffersOf(value: unknown, found: ArrayBuffer[] = [], depth = 0): ArrayBuffer[] {
  if (depth > 4 || typeof value !== 'object' || value === null) return found;
  if (value instanceof Uint8Array) {
    const { buffer } = value;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength && !found.includes(buffer)) found.push(buffer);
    return found;
  }
  for (const entry of Array.isArray(value) ? value : Object.values(value)) ownBuffersOf(entry, found, depth + 1);
  return found;
}

/** The message is written (or posted) before its flag is raised, so it is there by the time the flag is seen. */
function take<T>(slot: SharedSlot, port: MessagePort): T {
  if (slot.holdsMessage) return slot.read() as T;
  let message = receiveMessageOnPort(port);
  while (!message) message = receiveMessageOnPort(port);
  return message.message as T;
}

export class InvocationChannel<Request, Result, ImportCall, ImportReply> {
  readonly #flags: Int32Array;
  readonly #invocations: MessagePort;
  readonly #imports: MessagePort;
  readonly #onImport: (call: ImportCall) => Promise<ImportReply>;
  readonly #stayHot: () => boolean;
  /** Running average of how long the host waits here for an import or a result, in ms. */
  #usualWaitMs = 0;
  readonly #slots: Slots;
  #abandoned = false;
  #importsRunning = 0;
  #importedMs = 0;
  #importBegan: number | undefined;
  /** What to hand the worker (transfer both ports). */
  readonly workerEnd: WorkerChannelEnd;

  /**
   * `onImport` runs each import the worker calls. While the host waits for a result it serves them
   * at once; the rest of the time (the worker serves HTTP by itself) a waiting loop does.
   * `stayHot` says whether the host has a core to spare for spinning while it waits.
   */
  constructor(onImport: (call: ImportCall) => Promise<ImportReply>, stayHot: () => boolean = () => false) {
    this.#onImport = onImport;
    this.#stayHot = stayHot;
    const signal = new SharedArrayBuffer(4 * 5);
    const slots = new SharedArrayBuffer(4 * SLOT_BYTES);
    const invocations = new MessageChannel();
    const imports = new MessageChannel();
    this.#flags = new Int32Array(signal);
    this.#slots = slotsIn(slots);
    this.#invocations = invocations.port1;
    this.#imports = imports.port1;
    this.workerEnd = { signal, slots, invocations: invocations.port2, imports: imports.port2 };
    void this.#serveImports();
  }

  send(request: Request): void {
    Atomics.store(this.#flags, RESULT, 0);
    put(this.#slots.request, this.#invocations, request);
    Atomics.or(this.#flags, REQUEST, INVOCATION_SENT);
    Atomics.notify(this.#flags, REQUEST);
  }

  /**
   * Serves the worker's import calls until its result arrives; undefined when `timeoutMs` passes
   * first, or when the channel is abandoned (the host ended the thread). Spinning, it lets the
   * event loop take a turn every few tens of microseconds, so the host's other work goes on.
   */
  async receive(timeoutMs?: number): Promise<Result | undefined> {
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    let spinFrom = performance.now();
    let sliceFrom = spinFrom;
    for (;;) {
      if (Atomics.compareExchange(this.#flags, IMPORT, 1, 0) === 1) {
        this.#waited(performance.now() - spinFrom);
        if (!(await this.#runImport(deadline))) return undefined;
        spinFrom = performance.now();
        continue;
      }
      if (Atomics.load(this.#flags, RESULT) === 1) {
        this.#waited(performance.now() - spinFrom);
        return this.#abandoned ? undefined : take<Result>(this.#slots.result, this.#invocations);
      }
      const now = performance.now();
      if (deadline !== undefined && now >= deadline) return undefined;
      if (now - sliceFrom <= MAIN_SPIN_MS) continue;
      if (now - spinFrom < Math.min(MAIN_HOT_MS, HOT_FACTOR * this.#usualWaitMs) && this.#stayHot()) {
        await yieldToEventLoop();
        sliceFrom = performance.now();
      } else await this.#attention(deadline === undefined ? undefined : deadline - now);
    }
  }

  #waited(ms: number): void {
    this.#usualWaitMs += (ms - this.#usualWaitMs) / 8;
  }

  /** True while the host runs an import for the worker: the worker's thread is blocked until it answers. */
  get importing(): boolean {
    return this.#importsRunning > 0;
  }

  /** Milliseconds the worker has spent blocked in imports the host ran, the one running now included. */
  get importedMs(): number {
    return this.#importedMs + (this.#importBegan === undefined ? 0 : performance.now() - this.#importBegan);
  }

  /** How long the import running now has taken; undefined when none runs. */
  get currentImportMs(): number | undefined {
    return this.#importBegan === undefined ? undefined : performance.now() - this.#importBegan;
  }

  /** Runs one import call; false when the deadline passed first. */
  async #runImport(deadline?: number): Promise<boolean> {
    const call = take<ImportCall>(this.#slots.import, this.#imports);
    this.#importsRunning++;
    // The worker blocks on one import at a time: a second cannot begin before this one's reply.
    const began = performance.now();
    this.#importBegan = began;
    try {
      const reply = deadline === undefined ? { value: await this.#onImport(call) } : await raceDeadline(this.#onImport(call), deadline);
      if (reply === undefined || this.#abandoned) return false;
      put(this.#slots.importReply, this.#imports, reply.value);
    } finally {
      this.#importsRunning--;
      this.#importedMs += performance.now() - began;
      this.#importBegan = undefined;
    }
    Atomics.store(this.#flags, IMPORT_REPLY, 1);
    Atomics.notify(this.#flags, IMPORT_REPLY);
    return true;
  }

  /** Imports called while no `receive` is waiting: the worker is serving requests of its own. */
  async #serveImports(): Promise<void> {
    while (!this.#abandoned) {
      if (Atomics.compareExchange(this.#flags, IMPORT, 1, 0) === 1) {
        await this.#runImport();
        continue;
      }
      // Woken by imports only (and by `abandon`), not by every result.
      const waiting = Atomics.waitAsync(this.#flags, IMPORT, 0);
      if (waiting.async) await waiting.value;
    }
  }

  /** Waits until the worker raises a flag (or `timeoutMs` passes) without blocking this thread. */
  async #attention(timeoutMs?: number): Promise<void> {
    const seen = Atomics.load(this.#flags, ATTENTION);
    if (Atomics.load(this.#flags, IMPORT) !== 0 || Atomics.load(this.#flags, RESULT) !== 0) return;
    const waiting = Atomics.waitAsync(this.#flags, ATTENTION, seen, timeoutMs);
    if (waiting.async) await waiting.value;
  }

  /**
   * Wakes a worker sleeping between invocations so that it reads its port: call after posting it
   * a message (listen, stats), which its event loop delivers only when it runs.
   */
  wakeForMessages(): void {
    Atomics.or(this.#flags, REQUEST, MESSAGES_SENT);
    Atomics.notify(this.#flags, REQUEST);
  }

  /** Wakes a pending `receive` with nothing, when the worker is gone. */
  abandon(): void {
    this.#abandoned = true;
    Atomics.notify(this.#flags, IMPORT);
    Atomics.store(this.#flags, RESULT, 1);
    Atomics.add(this.#flags, ATTENTION, 1);
    Atomics.notify(this.#flags, ATTENTION);
    this.#invocations.close();
    this.#imports.close();
  }
}

/** What woke a worker: an invocation, port messages to read, or both. */
export interface WorkerSignal<Request> {
  readonly request?: Request;
  readonly messages: boolean;
}

/** The worker's side of the channel. */
export class WorkerChannel<Request, Result, ImportCall, ImportReply> {
  readonly #flags: Int32Array;
  readonly #end: WorkerChannelEnd;
  readonly #slots: Slots;

  constructor(end: WorkerChannelEnd) {
    this.#end = end;
    this.#flags = new Int32Array(end.signal);
    this.#slots = slotsIn(end.slots);
  }

  /**
   * Sleeps for real until the host sends an invocation or a port message: the fastest wake-up,
   * for a worker that has nothing else to do (no listener of its own); at most `timeoutMs`.
   */
  sleepForSignal(timeoutMs?: number): WorkerSignal<Request> {
    const started = performance.now();
    while (Atomics.load(this.#flags, REQUEST) === 0 && performance.now() - started < WORKER_SPIN_MS);
    Atomics.wait(this.#flags, REQUEST, 0, timeoutMs);
    return this.#signal();
  }

  /** Waits without blocking this thread's event loop, for a worker that also serves requests of its own. */
  async awaitSignal(): Promise<WorkerSignal<Request>> {
    if (Atomics.load(this.#flags, REQUEST) === 0) {
      const waiting = Atomics.waitAsync(this.#flags, REQUEST, 0);
      if (waiting.async) await waiting.value;
    }
    return this.#signal();
  }

  /** Ends this thread's own `awaitSignal` with nothing: its work is done, and it may sleep for real now. */
  nudge(): void {
    Atomics.notify(this.#flags, REQUEST);
  }

  #signal(): WorkerSignal<Request> {
    const bits = Atomics.exchange(this.#flags, REQUEST, 0);
    return {
      ...((bits & INVOCATION_SENT) !== 0 ? { request: take<Request>(this.#slots.request, this.#end.invocations) } : {}),
      messages: (bits & MESSAGES_SENT) !== 0,
    };
  }

  /** Sends an invocation's result, which the worker keeps nothing of (it was lifted from the guest's memory). */
  reply(result: Result): void {
    put(this.#slots.result, this.#end.invocations, result, true);
    Atomics.store(this.#flags, RESULT, 1);
    this.#attention();
  }

  /** Runs an import on the host and blocks until its reply: the guest sees a plain synchronous call. */
  callImport(call: ImportCall): ImportReply {
    Atomics.store(this.#flags, IMPORT_REPLY, 0);
    put(this.#slots.import, this.#end.imports, call);
    Atomics.store(this.#flags, IMPORT, 1);
    Atomics.notify(this.#flags, IMPORT);
    this.#attention();
    spinThenSleep(this.#flags, IMPORT_REPLY, WORKER_IMPORT_SPIN_MS);
    return take<ImportReply>(this.#slots.importReply, this.#end.imports);
  }

  #attention(): void {
    Atomics.add(this.#flags, ATTENTION, 1);
    Atomics.notify(this.#flags, ATTENTION);
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Returns once the flag is set, never before: a wait also ends on a notify meant for an earlier
 * reply (the host stores the flag, then notifies; by then this thread may be waiting for the next
 * one), and the reply slot would still hold that earlier reply.
 */
function spinThenSleep(flags: Int32Array, index: number, spinMs: number): void {
  const started = performance.now();
  while (Atomics.load(flags, index) === 0 && performance.now() - started < spinMs);
  while (Atomics.load(flags, index) === 0) Atomics.wait(flags, index, 0);
}

async function raceDeadline<T>(work: Promise<T>, deadline: number): Promise<{ value: T } | undefined> {
  const remaining = deadline - performance.now();
  if (remaining <= 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), remaining);
  });
  try {
    return await Promise.race([work.then((value) => ({ value })), expired]);
  } finally {
    clearTimeout(timer);
  }
}
