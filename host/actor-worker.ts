// An actor thread. It runs actors (its tenants): the invocations the host sends and the HTTP
// requests of the listeners it owns, one guest at a time. The host can end it at any moment
// (deadline, stop), so an infinite loop here never stalls the host, its control plane or actors
// on other threads; the tenants it shared the thread with get a fresh one.
import { getHeapSpaceStatistics } from 'node:v8';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { WorkerListener, type AccessEntry, type RunOutcome } from './http-ingress/index.ts';
import {
  ActorExited,
  ambientImports,
  callIncomingHandler,
  dispatchIncoming,
  suspendGuestsOnWait,
  wasiHttpImports,
  type IncomingHandlerExport,
  type IncomingRequestParts,
  type OutgoingResponse,
} from './wasi/index.ts';
import {
  BUSY_BEGUN,
  BUSY_HTTP,
  BUSY_RUNNING,
  BUSY_TENANT,
  GENERATION_KEPT_READS,
  GENERATION_ROUTING,
  type FromWorker,
  type ImportCall,
  type Invocation,
  type InvocationReply,
  type InvocationRequest,
  type InvocationResult,
  type TenantSetup,
  type ToWorker,
  type WorkerData,
} from './actor-protocol.ts';
import type { Contract, RoutedCall } from './contract.ts';
import { exportPath } from './export-names.ts';
import { WorkerChannel } from './invocation-channel.ts';
import { busImports, LinkNameChoice } from './link-names.ts';
import { DEFAULT_LINK_NAME } from './links.ts';
import { instanceOutgrown } from './instance-growth.ts';
import type { CallOutcome } from './router.ts';
import { linearMemoryOf, loadTranspiled, type LoadedComponent } from './transpile-cache.ts';

const port = parentPort!;
const data = workerData as WorkerData;
const send = (message: FromWorker) => port.postMessage(message);
const channel = new WorkerChannel<InvocationRequest, InvocationReply, ImportCall, CallOutcome>(data.channel);
const busy = new Int32Array(data.busy);
const generations = new Int32Array(data.generations);

class ActorImportFailed extends Error {}

// A component that can wait (for request bytes, room to write, a clock) is transpiled for JSPI:
// while its guest is suspended, this thread's event loop goes on receiving and sending.
suspendGuestsOnWait();

/** One actor on this thread: its code, its imports, and its instance while it has one. */
interface Tenant {
  readonly id: number;
  readonly setup: TenantSetup;
  readonly component: LoadedComponent;
  readonly imports: Record<string, unknown>;
  readonly linkNames: LinkNameChoice;
  instance?: Promise<Record<string, unknown>>;
  /** Instances made and not yet let go, for leak checks. */
  liveInstances: number;
  /** Calls and requests waiting for the thread or running. */
  waitingOrRunning: number;
  lastUsed: number;
}

const tenants = new Map<number, Tenant>();

/** See Contract.rememberedImports and Contract.keptReads. */
interface RememberedSuccess {
  readonly routing: number;
  /** A kept read's GENERATION_KEPT_READS when it was asked; none for a remembered import. */
  readonly writes?: number;
  readonly ok: unknown;
}

/** A guest choosing ever new arguments must not grow the thread's memory without end. */
const MAX_REMEMBERED = 256;
/** Larger answers are not kept: at most MAX_REMEMBERED of these per actor. */
const MAX_KEPT_BYTES = 4096;

/** Whether a read's answer is small enough to keep: a value of at most MAX_KEPT_BYTES, a flag, or nothing. */
function keepable(ok: unknown): boolean {
  if (ok instanceof Uint8Array) return ok.byteLength <= MAX_KEPT_BYTES;
  return ok === undefined || typeof ok === 'boolean';
}

/** The key of a call that may be remembered: only calls whose arguments are all strings are. */
function rememberedKey(linkName: string, iface: string, operation: string, args: readonly unknown[]): string | undefined {
  if (!args.every((arg) => typeof arg === 'string')) return undefined;
  return JSON.stringify([linkName, iface, operation, ...args]);
}

function remember(successes: Map<string, RememberedSuccess>, key: string, success: RememberedSuccess): void {
  if (successes.size >= MAX_REMEMBERED) successes.clear();
  successes.set(key, success);
}

async function addTenant(id: number, setup: TenantSetup): Promise<Tenant> {
  const linkNames = new LinkNameChoice();
  /**
   * A routed import: the host runs it (a provider may take its time) while this thread sleeps, so
   * the guest sees a synchronous call. An error value becomes the WIT `err` the guest expects; an
   * actor-to-actor call has none, so its failure fails the whole invocation.
   */
  const call: RoutedCall = (iface, operation, args) => {
    const linkName = linkNames.current(iface);
    const name = `${iface}#${operation}`;
    const memo = remembered.has(name) || kept.has(name) ? rememberedKey(linkName, iface, operation, args) : undefined;
    // Read before the call: a change during it leaves what it answered already out of date.
    const routing = Atomics.load(generations, GENERATION_ROUTING);
    const writes = Atomics.load(generations, GENERATION_KEPT_READS);
    if (memo !== undefined) {
      const known = successes.get(memo);
      if (known?.routing === routing && (known.writes === undefined || known.writes === writes)) return known.ok as never;
    }
    const outcome = channel.callImport({ tenant: id, iface, operation, args, linkName });
    if ('ok' in outcome) {
      if (memo !== undefined && remembered.has(name)) remember(successes, memo, { routing, ok: outcome.ok });
      else if (memo !== undefined && outcome.keep === true && keepable(outcome.ok)) remember(successes, memo, { routing, writes, ok: outcome.ok });
      return outcome.ok as never;
    }
    if (iface in setup.actorImports) throw new ActorImportFailed(outcome.reason ?? `the call to ${iface} failed`);
    throw { payload: outcome.err };
  };
  const remembered = new Set<string>();
  const kept = new Set<string>();
  const successes = new Map<string, RememberedSuccess>();
  const routedImports: Record<string, Record<string, unknown>> = {};
  for (const module of setup.contractModules) {
    const { contract } = (await import(module)) as { contract?: Contract<never> };
    if (typeof contract?.guestImports !== 'function') throw new Error(`${module} exports no contract: a contract module exports its Contract as \`contract\``);
    Object.assign(routedImports, contract.guestImports(call));
    for (const name of contract.rememberedImports ?? []) remembered.add(name);
    for (const name of contract.keptReads ?? []) kept.add(name);
  }
  for (const [iface, functions] of Object.entries(setup.actorImports)) {
    routedImports[iface] = Object.fromEntries(functions.map((fn) => [fn, (...args: unknown[]) => call(iface, fn, args)]));
  }
  const imports = {
    // Config is read from the host on each call: links made after the start change it.
    ...ambientImports(
      (level, context, message) => send({ type: 'log', tenant: id, level, context, message }),
      () => {
        const outcome = channel.callImport({ tenant: id, iface: 'wasi:config/store', operation: 'get-all', args: [], linkName: DEFAULT_LINK_NAME });
        return 'ok' in outcome ? (outcome.ok as Record<string, string>) : {};
      },
    ),
    ...wasiHttpImports(),
    ...busImports(linkNames),
    ...routedImports,
  };
  const component = await loadTranspiled(setup.componentDir, { modules: setup.modules });
  return { id, setup, component, imports, linkNames, liveInstances: 0, waitingOrRunning: 0, lastUsed: performance.now() };
}

function instantiate(tenant: Tenant): Promise<Record<string, unknown>> {
  tenant.liveInstances++;
  const made = tenant.component.instantiate(tenant.imports);
  // An instantiation failure surfaces on the call that uses it.
  made.catch(() => {});
  return made;
}

/** The instance for this call; for single-request components, the next one is started alongside it. */
function takeInstance(tenant: Tenant, forHttp: boolean): { current: Promise<Record<string, unknown>>; spent: boolean } {
  const current = (tenant.instance ??= instantiate(tenant));
  if (forHttp && tenant.setup.singleRequestInstances) {
    tenant.instance = instantiate(tenant);
    return { current, spent: true };
  }
  return { current, spent: false };
}

/** After a trap or an abandoned call, the instance may be broken: the next call gets a new one. */
function discardInstance(tenant: Tenant, broken: Promise<Record<string, unknown>>): void {
  if (tenant.instance !== broken) return;
  tenant.liveInstances--;
  tenant.instance = undefined;
}

/** When the soonest instance may have gone idle: until then no sweep is needed. */
let nextSweep = Infinity;

/**
 * Scale to zero: an instance nobody used for the tenant's `idleMs` is let go, and the next call
 * instantiates again. Returns how long until the next one may go idle, if one may.
 */
function dropIdleInstances(): number | undefined {
  const now = performance.now();
  if (now < nextSweep) return nextSweep === Infinity ? undefined : nextSweep - now;
  nextSweep = Infinity;
  for (const tenant of tenants.values()) {
    if (!tenant.instance || tenant.waitingOrRunning > 0) continue;
    const goes = tenant.lastUsed + tenant.setup.idleMs;
    if (goes <= now) discardInstance(tenant, tenant.instance);
    else nextSweep = Math.min(nextSweep, goes);
  }
  return nextSweep === Infinity ? undefined : nextSweep - now;
}

let idleTimer: NodeJS.Timeout | undefined;
/** While the event loop runs (listeners), a timer sweeps; a thread that sleeps sweeps when it wakes. */
function watchIdle(): void {
  if (idleTimer) return;
  const next = dropIdleInstances();
  if (next === undefined) return;
  idleTimer = setTimeout(() => {
    idleTimer = undefined;
    watchIdle();
  }, Math.max(1, next));
  idleTimer.unref();
}

function used(tenant: Tenant): void {
  tenant.lastUsed = performance.now();
  nextSweep = Math.min(nextSweep, tenant.lastUsed + tenant.setup.idleMs);
}

// One guest at a time on the thread, in arrival order: the host's watchdog then knows whose guest
// holds it (BUSY_TENANT) when it stops yielding.
let tail: Promise<unknown> = Promise.resolve();
/** Calls and requests waiting or running, over every tenant: while there are any, the thread must not sleep. */
let working = 0;
function exclusive<T>(tenant: Tenant, http: boolean, work: () => Promise<T>): Promise<T> {
  tenant.waitingOrRunning++;
  // With nothing waiting or running, the last guest's bookkeeping is done: this one starts now,
  // not a turn of the microtask queue later (each promise and turn here cost the request path).
  const result = working++ === 0 ? runAlone(tenant, http, work) : tail.then(() => runAlone(tenant, http, work));
  const settled = () => {
    tenant.waitingOrRunning--;
    working--;
    if (listeners.size > 0) watchIdle();
    else wakeToSleep();
  };
  tail = result.then(settled, settled);
  return result;
}

/** Runs `work` as the thread's one guest, marked busy for the host's watchdog. */
async function runAlone<T>(tenant: Tenant, http: boolean, work: () => Promise<T>): Promise<T> {
  Atomics.add(busy, BUSY_BEGUN, 1);
  Atomics.store(busy, BUSY_TENANT, tenant.id);
  Atomics.store(busy, BUSY_HTTP, http ? 1 : 0);
  Atomics.store(busy, BUSY_RUNNING, 1);
  try {
    return await work();
  } finally {
    Atomics.store(busy, BUSY_RUNNING, 0);
    used(tenant);
  }
}

function failureOf(error: unknown): Extract<InvocationResult, { ok: false }> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ActorImportFailed) return { ok: false, code: 'ACTOR_CALL_FAILED', message };
  if (error instanceof ActorExited) return { ok: false, code: 'ACTOR_EXITED', message };
  const trapped = error instanceof Error && error.constructor.name === 'RuntimeError';
  return { ok: false, code: trapped ? 'ACTOR_TRAPPED' : 'ACTOR_CALL_FAILED', message };
}

/** The guest call running now: when it began, its deadline, and how to give up on it. */
let running: { readonly began: number; readonly deadlineMs: number; readonly expire: () => void } | undefined;
let deadlineTimer: NodeJS.Timeout | undefined;
let deadlineTimerDue = Infinity;

/**
 * One timer watches every call's deadline, re-armed for whichever call runs when it fires (or
 * sooner, for a tenant whose deadline is shorter): a timer made and cleared for each request
 * would cost more than a small request itself. It stops a guest that waits; a guest stuck in a
 * loop never lets it run, and the host's watchdog ends the whole thread instead.
 */
function watchDeadline(): void {
  if (!running) return;
  const due = running.began + running.deadlineMs;
  if (deadlineTimer && deadlineTimerDue <= due) return;
  clearTimeout(deadlineTimer);
  deadlineTimerDue = due;
  deadlineTimer = setTimeout(() => {
    deadlineTimer = undefined;
    deadlineTimerDue = Infinity;
    if (!running) return;
    if (performance.now() - running.began >= running.deadlineMs) running.expire();
    else watchDeadline();
  }, Math.max(1, due - performance.now()));
  deadlineTimer.unref();
}

/** Runs `work` against the tenant's instance within its deadline; a guest abandoned there is never used again. */
async function withinDeadline<T extends InvocationResult | RunOutcome>(
  tenant: Tenant,
  forHttp: boolean,
  work: (instance: Record<string, unknown>, settle: (outcome: T) => void) => Promise<void>,
): Promise<T> {
  tenant.linkNames.reset();
  const taken = takeInstance(tenant, forHttp);
  try {
    const outcome = await new Promise<T>((settle) => {
      running = {
        began: performance.now(),
        deadlineMs: tenant.setup.deadlineMs,
        expire: () => settle({ ok: false, code: 'ACTOR_DEADLINE', message: `the ${forHttp ? 'request' : 'call'} ran past its ${tenant.setup.deadlineMs} ms deadline` } as T),
      };
      watchDeadline();
      taken.current
        .then((instance) => work(instance, settle))
        .catch((error: unknown) => {
          if ((error as { code?: string }).code === 'HTTP_NO_RESPONSE') return settle({ ok: false, code: 'HTTP_NO_RESPONSE', message: (error as Error).message } as T);
          if (!taken.spent) discardInstance(tenant, taken.current);
          settle(failureOf(error) as T);
        });
    });
    // An abandoned guest stays suspended on an instance nobody will use again.
    if (!outcome.ok && outcome.code === 'ACTOR_DEADLINE' && !taken.spent) discardInstance(tenant, taken.current);
    return outcome;
  } finally {
    running = undefined;
    if (taken.spent) tenant.liveInstances--;
    else replaceIfOutgrown(tenant, taken.current);
  }
}

/** An instance kept between calls whose memory has outgrown it is let go: the next call starts a fresh one. */
function replaceIfOutgrown(tenant: Tenant, current: Promise<Record<string, unknown>>): void {
  current.then(
    (instance) => {
      const memory = linearMemoryOf(instance);
      if (memory && instanceOutgrown(memory)) discardInstance(tenant, current);
    },
    () => {},
  );
}

function invoke(tenant: Tenant, invocation: Invocation): Promise<InvocationResult> {
  return withinDeadline<InvocationResult>(tenant, invocation.kind === 'http', async (instance, settle) => {
    if (invocation.kind === 'http') {
      const handler = instance.incomingHandler as IncomingHandlerExport | undefined;
      if (!handler) return settle({ ok: false, code: 'ACTOR_NO_SUCH_EXPORT', message: 'the actor does not export wasi:http/incoming-handler' });
      return settle({ ok: true, value: await callIncomingHandler(handler, invocation.request) });
    }
    const target = exportPath(invocation.name).reduce<unknown>((scope, name) => (scope as Record<string, unknown> | undefined)?.[name], instance);
    if (typeof target !== 'function') return settle({ ok: false, code: 'ACTOR_NO_SUCH_EXPORT', message: `the actor exports no function ${invocation.name}` });
    try {
      settle({ ok: true, value: { ok: await target(...invocation.args) } });
    } catch (error) {
      // A WIT `err` result arrives as a thrown value carrying the payload: an answer, not a failure.
      if (error !== null && typeof error === 'object' && 'payload' in error) return settle({ ok: true, value: { err: (error as { payload: unknown }).payload } });
      throw error;
    }
  });
}

/** One request from a listener this thread owns for `tenant`. */
function serveHttp(tenant: Tenant, request: IncomingRequestParts, onResponse: (response: OutgoingResponse) => void): Promise<RunOutcome> {
  return exclusive(tenant, true, () =>
    withinDeadline<RunOutcome>(tenant, true, async (instance, settle) => {
      const handler = instance.incomingHandler as IncomingHandlerExport | undefined;
      if (!handler) return settle({ ok: false, code: 'ACTOR_NO_SUCH_EXPORT', message: 'the actor does not export wasi:http/incoming-handler' });
      await dispatchIncoming(handler, request, onResponse);
      settle(OK);
    }),
  );
}

const OK: RunOutcome = { ok: true };

// Access log lines go to the host in batches: one message per request would cost more than the request.
const accessBatches = new Map<number, AccessEntry[]>();
function logAccess(tenant: number, entry: AccessEntry): void {
  if (accessBatches.size === 0) setTimeout(flushAccessLog, 50).unref();
  let batch = accessBatches.get(tenant);
  if (!batch) accessBatches.set(tenant, (batch = []));
  batch.push(entry);
  if (batch.length >= 512) flushAccessLog();
}
function flushAccessLog(): void {
  for (const [tenant, entries] of accessBatches) send({ type: 'access', tenant, entries });
  accessBatches.clear();
}

/** Listeners by id, with the tenant each serves. */
const listeners = new Map<number, { readonly tenant: number; readonly listener: WorkerListener }>();
/** Port messages still loading a tenant, opening or draining a server: they need the event loop. */
let settingUp = 0;
const whileSettingUp = <T>(work: Promise<T>): Promise<T> => {
  settingUp++;
  return work.finally(() => {
    settingUp--;
    wakeToSleep();
  });
};

/** Once nothing needs the event loop, the main loop stops awaiting and sleeps for real: the quickest wake-up. */
function wakeToSleep(): void {
  if (listeners.size === 0 && settingUp === 0 && working === 0) channel.nudge();
}

async function removeTenant(id: number): Promise<void> {
  for (const [listenerId, entry] of listeners) {
    if (entry.tenant !== id) continue;
    listeners.delete(listenerId);
    await entry.listener.close();
  }
  flushAccessLog();
  tenants.delete(id);
}

function onMessage(message: ToWorker): void {
  switch (message.type) {
    case 'add-tenant':
      return void whileSettingUp(addTenant(message.tenant, message.setup)).then(
        (tenant) => {
          tenants.set(tenant.id, tenant);
          send({ type: 'tenant-added', id: message.id });
        },
        (error: Error) => send({ type: 'tenant-added', id: message.id, error: error.message }),
      );
    case 'remove-tenant':
      return void whileSettingUp(removeTenant(message.tenant)).then(() => send({ type: 'tenant-removed', id: message.id }));
    case 'listen': {
      const tenant = tenants.get(message.tenant);
      if (!tenant) return send({ type: 'listening', id: message.id, error: { code: 'HTTP_LISTEN_FAILED', message: 'the actor is not on this thread' } });
      const runner = {
        accepts: () => tenant.waitingOrRunning <= tenant.setup.queueLimit,
        run: (request: IncomingRequestParts, onResponse: (response: OutgoingResponse) => void) => serveHttp(tenant, request, onResponse),
      };
      // A line the host's log would drop is never made nor sent: under load, sending them cost the
      // host's main thread more than a microsecond a request.
      const accessLog = { everyRequest: tenant.setup.logsEveryRequest, write: (entry: AccessEntry) => logAccess(tenant.id, entry) };
      return void whileSettingUp(WorkerListener.open(message.spec, runner, accessLog)).then(
        (listener) => {
          listeners.set(message.listener, { tenant: tenant.id, listener });
          send({ type: 'listening', id: message.id });
        },
        (error: { code?: string; message: string }) => send({ type: 'listening', id: message.id, error: { code: error.code ?? 'HTTP_LISTEN_FAILED', message: error.message } }),
      );
    }
    case 'unlisten': {
      const entry = listeners.get(message.listener);
      listeners.delete(message.listener);
      return void whileSettingUp(entry?.listener.close(message.handover) ?? Promise.resolve()).then(() => {
        flushAccessLog();
        send({ type: 'unlistened', id: message.id });
      });
    }
    case 'stats': {
      const sockets = [...listeners.values()].filter((entry) => entry.tenant === message.tenant).map((entry) => entry.listener.stats());
      return send({
        type: 'stats',
        id: message.id,
        stats: {
          instances: tenants.get(message.tenant)?.liveInstances ?? 0,
          openSockets: sockets.reduce((sum, stats) => sum + stats.openSockets, 0),
          inFlight: sockets.reduce((sum, stats) => sum + stats.inFlight, 0),
          youngGenerationBytes: getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0,
        },
      });
    }
  }
}
port.on('message', onMessage);

send({ type: 'ready' });

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The port's messages (add a tenant, listen, stats) are read here when the host flags them: the
 * event loop would deliver them only on its next turn, and by then the thread may be asleep.
 */
function readPort(): void {
  for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) onMessage(message.message as ToWorker);
}

function unknownTenant(request: InvocationRequest): InvocationReply {
  return { id: request.id, result: { ok: false, code: 'ACTOR_STOPPING', message: 'the actor is no longer on this thread' } };
}

for (;;) {
  if (listeners.size === 0 && settingUp === 0 && working === 0) {
    // Nothing else to serve: sleep for real (the quickest wake-up), one invocation at a time,
    // waking when an idle instance is due to go.
    const signal = channel.sleepForSignal(dropIdleInstances());
    if (signal.request) {
      const tenant = tenants.get(signal.request.tenant);
      if (!tenant) channel.reply(unknownTenant(signal.request));
      else {
        channel.reply({ id: signal.request.id, result: await exclusive(tenant, false, () => invoke(tenant, signal.request!.invocation)) });
        // Finish preparing the next instance before sleeping: a sleeping thread makes no progress,
        // and the next call should not pay for it.
        await tenant.instance?.catch(() => {});
      }
    }
    if (signal.messages) {
      readPort();
      await yieldToEventLoop();
    }
  } else {
    // Listeners take requests on this thread's event loop: wait without blocking it.
    const signal = await channel.awaitSignal();
    if (signal.messages) readPort();
    const request = signal.request;
    if (request) {
      const tenant = tenants.get(request.tenant);
      if (!tenant) channel.reply(unknownTenant(request));
      else void exclusive(tenant, false, () => invoke(tenant, request.invocation)).then((result) => channel.reply({ id: request.id, result }));
    }
  }
}
