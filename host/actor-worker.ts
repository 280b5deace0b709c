// One actor instance's thread. The main thread can end it at any moment (deadline, stop), so an
// infinite loop here never stalls the host, its control plane or other actors.
import { parentPort, workerData } from 'node:worker_threads';
import { callIncomingHandler, wasiHttpImports, type IncomingHandlerExport } from '../providers/http-server/index.ts';
import type { FromWorker, ImportCall, Invocation, InvocationReply, InvocationRequest, InvocationResult, WorkerData } from './actor-protocol.ts';
import { ambientImports } from './ambient-imports.ts';
import { contractFor, type RoutedCall } from './contracts/index.ts';
import { WorkerChannel } from './invocation-channel.ts';
import type { CallOutcome } from './router.ts';
import { loadTranspiled } from './transpile-cache.ts';

const port = parentPort!;
const setup = workerData as WorkerData;
const send = (message: FromWorker) => port.postMessage(message);

const channel = new WorkerChannel<InvocationRequest, InvocationReply, ImportCall, CallOutcome>(setup.channel);

class ActorImportFailed extends Error {}

/**
 * A routed import: the host runs it (a provider may take its time) while this thread sleeps, so
 * the guest sees a synchronous call. An error value becomes the WIT `err` the guest expects; an
 * actor-to-actor call has none, so its failure fails the whole invocation.
 */
const call: RoutedCall = (iface, operation, args) => {
  const outcome = channel.callImport({ iface, operation, args });
  if ('ok' in outcome) return outcome.ok as never;
  if (iface in setup.actorImports) throw new ActorImportFailed(outcome.reason ?? `the call to ${iface} failed`);
  throw { payload: outcome.err };
};

const routedImports: Record<string, Record<string, unknown>> = {};
for (const iface of setup.routed) {
  const carrier = contractFor(iface);
  if (carrier) Object.assign(routedImports, carrier.contract.guestImports(call));
}
for (const [iface, functions] of Object.entries(setup.actorImports)) {
  routedImports[iface] = Object.fromEntries(functions.map((fn) => [fn, (...args: unknown[]) => call(iface, fn, args)]));
}
const imports = {
  // Config is read from the host on each call: links made after the start change it.
  ...ambientImports(
    (level, context, message) => send({ type: 'log', level, context, message }),
    () => {
      const outcome = channel.callImport({ iface: 'wasi:config/store', operation: 'get-all', args: [] });
      return 'ok' in outcome ? (outcome.ok as Record<string, string>) : {};
    },
  ),
  ...wasiHttpImports(),
  ...routedImports,
};

const component = await loadTranspiled(setup.componentDir, { modules: setup.modules });
let instance: Promise<Record<string, unknown>> | undefined;

/** The instance for this call; for single-request components, the next one is started alongside it. */
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
    if (error instanceof ActorImportFailed) return { ok: false, code: 'ACTOR_CALL_FAILED', message };
    const trapped = error instanceof Error && error.constructor.name === 'RuntimeError';
    return { ok: false, code: trapped ? 'ACTOR_TRAPPED' : 'ACTOR_CALL_FAILED', message };
  }
}

send({ type: 'ready' });

for (;;) {
  const { id, invocation } = channel.nextRequest();
  channel.reply({ id, result: await invoke(invocation) });
  // Finish preparing the next instance before sleeping: a sleeping thread makes no progress, and
  // the next call should not pay for it.
  await instance?.catch(() => {});
}
