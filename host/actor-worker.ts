// One actor instance's thread. It runs the invocations the host sends and the HTTP requests of
// the listeners it owns, one at a time. The main thread can end it at any moment (deadline,
// stop), so an infinite loop here never stalls the host, its control plane or other actors.
import { parentPort, workerData } from 'node:worker_threads';
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
  BUSY_RUNNING,
  type FromWorker,
  type ImportCall,
  type Invocation,
  type InvocationReply,
  type InvocationRequest,
  type InvocationResult,
  type ToWorker,
  type WorkerData,
} from './actor-protocol.ts';
import type { Contract, RoutedCall } from './contract.ts';
import { exportPath } from './export-names.ts';
import { WorkerChannel } from './invocation-channel.ts';
import { busImports, LinkNameChoice } from './link-names.ts';
import { DEFAULT_LINK_NAME } from './links.ts';
import type { CallOutcome } from './router.ts';
import { loadTranspiled } from './transpile-cache.ts';

const port = parentPort!;
const setup = workerData as WorkerData;
const send = (message: FromWorker) => port.postMessage(message);

const linkNames = new LinkNameChoice();
const channel = new WorkerChannel<InvocationRequest, InvocationReply, ImportCall, CallOutcome>(setup.channel);

class ActorImportFailed extends Error {}

/**
 * A routed import: the host runs it (a provider may take its time) while this thread sleeps, so
 * the guest sees a synchronous call. An error value becomes the WIT `err` the guest expects; an
 * actor-to-actor call has none, so its failure fails the whole invocation.
 */
const call: RoutedCall = (iface, operation, args) => {
  const outcome = channel.callImport({ iface, operation, args, linkName: linkNames.current(iface) });
  if ('ok' in outcome) return outcome.ok as never;
  if (iface in setup.actorImports) throw new ActorImportFailed(outcome.reason ?? `the call to ${iface} failed`);
  throw { payload: outcome.err };
};

const routedImports: Record<string, Record<string, unknown>> = {};
for (const module of setup.contractModules) {
  const { contract } = (await import(module)) as { contract?: Contract<never> };
  if (typeof contract?.guestImports !== 'function') throw new Error(`${module} exports no contract: a contract module exports its Contract as \`contract\``);
  Object.assign(routedImports, contract.guestImports(call));
}
for (const [iface, functions] of Object.entries(setup.actorImports)) {
  routedImports[iface] = Object.fromEntries(functions.map((fn) => [fn, (...args: unknown[]) => call(iface, fn, args)]));
}
const imports = {
  // Config is read from the host on each call: links made after the start change it.
  ...ambientImports(
    (level, context, message) => send({ type: 'log', level, context, message }),
    () => {
      const outcome = channel.callImport({ iface: 'wasi:config/store', operation: 'get-all', args: [], linkName: DEFAULT_LINK_NAME });
      return 'ok' in outcome ? (outcome.ok as Record<string, string>) : {};
    },
  ),
  ...wasiHttpImports(),
  ...busImports(linkNames),
  ...routedImports,
};

// A component that can wait (for request bytes, room to write, a clock) is transpiled for JSPI:
// while its guest is suspended, this thread's event loop goes on receiving and sending.
suspendGuestsOnWait();
const component = await loadTranspiled(setup.componentDir, { modules: setup.modules });
let instance: Promise<Record<string, unknown>> | undefined;
/** Instances made and not yet let go, for leak checks. */
let liveInstances = 0;

function instantiate(): Promise<Record<string, unknown>> {
  liveInstances++;
  const made = component.instantiate(imports);
  // An instantiation failure surfaces on the call that uses it.
  made.catch(() => {});
  return made;
}

/** The instance for this call; for single-request components, the next one is started alongside it. */
function takeInstance(forHttp: boolean): { current: Promise<Record<string, unknown>>; spent: boolean } {
  const current = (instance ??= instantiate());
  if (forHttp && setup.singleRequestInstances) {
    instance = instantiate();
    return { current, spent: true };
  }
  return { current, spent: false };
}

/** After a trap or an abandoned call, the instance may be broken: the next call gets a new one. */
function discardInstance(broken: Promise<Record<string, unknown>>): void {
  if (instance !== broken) return;
  liveInstances--;
  instance = undefined;
}

// One call at a time on the instance, in arrival order.
let tail: Promise<unknown> = Promise.resolve();
let waitingOrRunning = 0;
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  waitingOrRunning++;
  const result = tail.then(work);
  tail = result.finally(() => waitingOrRunning--).catch(() => {});
  return result;
}

const busy = new Int32Array(setup.busy);

function failureOf(error: unknown): Extract<InvocationResult, { ok: false }> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ActorImportFailed) return { ok: false, code: 'ACTOR_CALL_FAILED', message };
  if (error instanceof ActorExited) return { ok: false, code: 'ACTOR_EXITED', message };
  const trapped = error instanceof Error && error.constructor.name === 'RuntimeError';
  return { ok: false, code: trapped ? 'ACTOR_TRAPPED' : 'ACTOR_CALL_FAILED', message };
}

async function invoke(invocation: Invocation): Promise<InvocationResult> {
  linkNames.reset();
  const taken = takeInstance(invocation.kind === 'http');
  try {
    const current = await taken.current;
    if (invocation.kind === 'http') {
      const handler = current.incomingHandler as IncomingHandlerExport | undefined;
      if (!handler) return { ok: false, code: 'ACTOR_NO_SUCH_EXPORT', message: 'the actor does not export wasi:http/incoming-handler' };
      return { ok: true, value: await callIncomingHandler(handler, invocation.request) };
    }
    const target = exportPath(invocation.name).reduce<unknown>((scope, name) => (scope as Record<string, unknown> | undefined)?.[name], current);
    if (typeof target !== 'function') return { ok: false, code: 'ACTOR_NO_SUCH_EXPORT', message: `the actor exports no function ${invocation.name}` };
    try {
      return { ok: true, value: { ok: await target(...invocation.args) } };
    } catch (error) {
      // A WIT `err` result arrives as a thrown value carrying the payload: an answer, not a failure.
      if (error !== null && typeof error === 'object' && 'payload' in error) return { ok: true, value: { err: (error as { payload: unknown }).payload } };
      throw error;
    }
  } catch (error) {
    if (!taken.spent) discardInstance(taken.current);
    return failureOf(error);
  } finally {
    if (taken.spent) liveInstances--;
  }
}

/** The HTTP request running now: when it began, and how to give up on it. */
let running: { readonly began: number; readonly expire: () => void } | undefined;
let deadlineTimer: NodeJS.Timeout | undefined;

/**
 * One timer watches every request's deadline, re-armed for whichever request runs when it fires:
 * a timer made and cleared for each request would cost more than a small request itself.
 */
function watchDeadline(): void {
  if (deadlineTimer) return;
  const remaining = running ? running.began + setup.deadlineMs - performance.now() : setup.deadlineMs;
  deadlineTimer = setTimeout(() => {
    deadlineTimer = undefined;
    if (!running) return;
    if (performance.now() - running.began >= setup.deadlineMs) running.expire();
    else watchDeadline();
  }, Math.max(1, remaining));
  deadlineTimer.unref();
}

/**
 * One request from a listener this thread owns. The deadline is kept here, since the guest may be
 * suspended waiting for bytes; a guest stuck in a loop never lets the timer run, and the pool's
 * watchdog ends the whole thread instead.
 */
function serveHttp(request: IncomingRequestParts, onResponse: (response: OutgoingResponse) => void): Promise<RunOutcome> {
  return exclusive(async (): Promise<RunOutcome> => {
    Atomics.add(busy, BUSY_BEGUN, 1);
    Atomics.store(busy, BUSY_RUNNING, 1);
    linkNames.reset();
    const taken = takeInstance(true);
    try {
      const outcome = await new Promise<RunOutcome>((settle) => {
        running = {
          began: performance.now(),
          expire: () => settle({ ok: false, code: 'ACTOR_DEADLINE', message: `the request ran past its ${setup.deadlineMs} ms deadline` }),
        };
        watchDeadline();
        taken.current
          .then((current) => {
            const handler = current.incomingHandler as IncomingHandlerExport | undefined;
            if (!handler) return settle({ ok: false, code: 'ACTOR_NO_SUCH_EXPORT', message: 'the actor does not export wasi:http/incoming-handler' });
            return dispatchIncoming(handler, request, onResponse).then(() => settle(OK));
          })
          .catch((error: unknown) => {
            if ((error as { code?: string }).code === 'HTTP_NO_RESPONSE') return settle({ ok: false, code: 'HTTP_NO_RESPONSE', message: (error as Error).message });
            if (!taken.spent) discardInstance(taken.current);
            settle(failureOf(error));
          });
      });
      // An abandoned guest stays suspended on an instance nobody will use again.
      if (!outcome.ok && outcome.code === 'ACTOR_DEADLINE' && !taken.spent) discardInstance(taken.current);
      return outcome;
    } finally {
      running = undefined;
      if (taken.spent) liveInstances--;
      Atomics.store(busy, BUSY_RUNNING, 0);
    }
  });
}

const OK: RunOutcome = { ok: true };

const httpRunner = {
  accepts: () => waitingOrRunning <= setup.queueLimit,
  run: serveHttp,
};

// Access log lines go to the host in batches: one message per request would cost more than the request.
let accessBatch: AccessEntry[] = [];
function logAccess(entry: AccessEntry): void {
  if (accessBatch.length === 0) setTimeout(flushAccessLog, 50).unref();
  accessBatch.push(entry);
  if (accessBatch.length >= 512) flushAccessLog();
}
function flushAccessLog(): void {
  if (accessBatch.length === 0) return;
  send({ type: 'access', entries: accessBatch });
  accessBatch = [];
}

const listeners = new Map<number, WorkerListener>();
/** Listen and unlisten messages still opening or draining a server: they need the event loop. */
let settingUp = 0;
const whileSettingUp = <T>(work: Promise<T>): Promise<T> => {
  settingUp++;
  return work.finally(() => settingUp--);
};
port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'listen':
      return void whileSettingUp(WorkerListener.open(message.spec, httpRunner, logAccess)).then(
        (listener) => {
          listeners.set(message.id, listener);
          send({ type: 'listening', id: message.id });
        },
        (error: { code?: string; message: string }) => send({ type: 'listening', id: message.id, error: { code: error.code ?? 'HTTP_LISTEN_FAILED', message: error.message } }),
      );
    case 'unlisten': {
      const listener = listeners.get(message.id);
      listeners.delete(message.id);
      return void whileSettingUp(listener?.close(message.handover) ?? Promise.resolve()).then(() => {
        flushAccessLog();
        send({ type: 'unlistened', id: message.id });
      });
    }
    case 'stats': {
      const sockets = [...listeners.values()].map((listener) => listener.stats());
      return send({
        type: 'stats',
        id: message.id,
        stats: {
          instances: liveInstances,
          openSockets: sockets.reduce((sum, stats) => sum + stats.openSockets, 0),
          inFlight: sockets.reduce((sum, stats) => sum + stats.inFlight, 0),
        },
      });
    }
  }
});

send({ type: 'ready' });

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

for (;;) {
  if (listeners.size === 0 && settingUp === 0) {
    // Nothing else to serve: sleep for real (the quickest wake-up), one invocation at a time.
    const signal = channel.sleepForSignal();
    if (signal.request) {
      const { id, invocation } = signal.request;
      channel.reply({ id, result: await exclusive(() => invoke(invocation)) });
      // Finish preparing the next instance before sleeping: a sleeping thread makes no progress,
      // and the next call should not pay for it.
      await instance?.catch(() => {});
    }
    // The port's messages (listen, stats) arrive only while the event loop runs.
    if (signal.messages) await yieldToEventLoop();
  } else {
    // Listeners take requests on this thread's event loop: wait without blocking it.
    const signal = await channel.awaitSignal();
    if (signal.request) {
      const { id, invocation } = signal.request;
      void exclusive(() => invoke(invocation)).then((result) => channel.reply({ id, result }));
    }
  }
}
