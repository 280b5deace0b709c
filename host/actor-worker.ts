// One actor instance's thread. The main thread can end it at any moment (deadline, stop), so an
// infinite loop here never stalls the host, its control plane or other actors.
import { parentPort, workerData } from 'node:worker_threads';
import { callIncomingHandler, wasiHttpImports, type IncomingHandlerExport } from '../providers/http-server/index.ts';
import type { FromWorker, Invocation, InvocationReply, InvocationRequest, InvocationResult, ToWorker, WorkerData } from './actor-protocol.ts';
import { ambientImports } from './ambient-imports.ts';
import { contractFor, type RoutedCall } from './contracts/index.ts';
import { nextRequest, reply } from './invocation-channel.ts';
import { loadTranspiled } from './transpile-cache.ts';

const port = parentPort!;
const setup = workerData as WorkerData;
const send = (message: FromWorker) => port.postMessage(message);

const pending = new Map<number, { iface: string; resolve: (value: unknown) => void; reject: (reason: unknown) => void }>();
let nextCallId = 0;
let currentInvocation: number | undefined;
const call: RoutedCall = (iface, operation, args) =>
  new Promise((resolve, reject) => {
    const callId = nextCallId++;
    pending.set(callId, { iface, resolve, reject });
    send({ type: 'import-call', callId, iface, operation, args });
  });

/**
 * An actor-to-actor call that failed has no WIT error to return, and a rejected suspending import
 * leaves jco's bindings stuck: fail the invocation and end this thread; the pool starts a new one.
 */
function abandonInvocation(reason: string): never {
  if (currentInvocation !== undefined) {
    reply<InvocationReply>(setup.channel, { id: currentInvocation, result: { ok: false, code: 'ACTOR_CALL_FAILED', message: reason }, retire: true });
  }
  process.exit(0);
}

const routedImports: Record<string, Record<string, unknown>> = {};
for (const iface of setup.routed) {
  const carrier = contractFor(iface);
  if (carrier) Object.assign(routedImports, carrier.contract.guestImports(call));
}
for (const [iface, functions] of Object.entries(setup.actorImports)) {
  routedImports[iface] = Object.fromEntries(functions.map((fn) => [fn, (...args: unknown[]) => call(iface, fn, args)]));
}
const imports = {
  ...ambientImports((level, context, message) => send({ type: 'log', level, context, message }), setup.config),
  ...wasiHttpImports(),
  ...routedImports,
};

const component = await loadTranspiled(setup.componentDir, { modules: setup.modules });
let instance: Promise<Record<string, unknown>> | undefined;

/** The instance for the next call; a single-request one is prepared in the background for the call after. */
function takeInstance(forHttp: boolean): Promise<Record<string, unknown>> {
  const current = (instance ??= component.instantiate(imports));
  if (forHttp && component.singleRequestInstances) {
    instance = component.instantiate(imports);
    // An instantiation failure surfaces on the call that uses it.
    instance.catch(() => {});
  }
  return current;
}

async function invoke(invocation: Invocation): Promise<InvocationResult> {
  try {
    const current = await takeInstance(invocation.kind === 'http');
    if (invocation.kind === 'http') {
      const handler = current.incomingHandler as IncomingHandlerExport | undefined;
      if (!handler) return { ok: false, code: 'ACTOR_NO_SUCH_EXPORT', message: 'the actor does not export wasi:http/incoming-handler' };
      return { ok: true, value: await callIncomingHandler(handler, invocation.request) };
    }
    // `tool.list-keys` (as WIT spells it) or `tool.listKeys` (as jco does) both name the export.
    const target = invocation.name
      .split('.')
      .map((segment) => segment.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase()))
      .reduce<unknown>((scope, name) => (scope as Record<string, unknown> | undefined)?.[name], current);
    if (typeof target !== 'function') return { ok: false, code: 'ACTOR_NO_SUCH_EXPORT', message: `the actor exports no function ${invocation.name}` };
    try {
      return { ok: true, value: { ok: await target(...invocation.args) } };
    } catch (error) {
      // A WIT `err` result arrives as a thrown value carrying the payload: an answer, not a failure.
      if (error !== null && typeof error === 'object' && 'payload' in error) return { ok: true, value: { err: (error as { payload: unknown }).payload } };
      throw error;
    }
  } catch (error) {
    instance = undefined;
    const message = error instanceof Error ? error.message : String(error);
    const trapped = error instanceof Error && error.constructor.name === 'RuntimeError';
    return { ok: false, code: trapped ? 'ACTOR_TRAPPED' : 'ACTOR_CALL_FAILED', message };
  }
}

port.on('message', (message: ToWorker) => {
  const waiter = pending.get(message.callId);
  pending.delete(message.callId);
  if ('ok' in message.outcome) waiter?.resolve(message.outcome.ok);
  else if (waiter && waiter.iface in setup.actorImports) abandonInvocation(message.outcome.reason ?? `the call to ${waiter.iface} failed`);
  else waiter?.reject({ payload: message.outcome.err });
});
send({ type: 'ready' });

for (;;) {
  const { id, invocation } = nextRequest<InvocationRequest>(setup.channel);
  currentInvocation = id;
  const result = await invoke(invocation);
  currentInvocation = undefined;
  reply<InvocationReply>(setup.channel, { id, result });
}
