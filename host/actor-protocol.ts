import type { AccessEntry, ListenSpec } from './http-ingress/index.ts';
import type { HandledResponse, IncomingRequestParts } from './wasi/index.ts';
import type { ActorLogLevel } from './wasi/index.ts';
import type { WorkerChannelEnd } from './invocation-channel.ts';

/** What an actor's worker needs to run it; the component is already transpiled into `componentDir`. */
export interface WorkerSetup {
  readonly actorId: string;
  readonly componentDir: string;
  readonly routed: readonly string[];
  /** The modules of the contracts that carry its routed imports: the worker loads their guest side. */
  readonly contractModules: readonly string[];
  /** Routed interfaces served by other actors, with their function names (as jco spells them). */
  readonly actorImports: Readonly<Record<string, readonly string[]>>;
  /** The component's core modules, compiled once with the memory limit written in, shared by every worker. */
  readonly modules: Readonly<Record<string, WebAssembly.Module>>;
  /** A fresh instance for every HTTP request (a fetch-event component). */
  readonly singleRequestInstances: boolean;
}

/** What the pool sends one worker: the setup, its end of the invocation channel, and its limits. */
export interface WorkerData extends WorkerSetup {
  readonly channel: WorkerChannelEnd;
  /** Deadline and queue for the HTTP requests the worker takes itself. */
  readonly deadlineMs: number;
  readonly queueLimit: number;
  /** [requests begun, 1 while one runs]: the pool's watchdog reads them to find a worker stuck in a loop. */
  readonly busy: SharedArrayBuffer;
}

export const BUSY_BEGUN = 0;
export const BUSY_RUNNING = 1;

/** What the worker reports of its HTTP work, for leak checks and inventories. */
export interface WorkerStats {
  readonly instances: number;
  readonly openSockets: number;
  readonly inFlight: number;
}

export interface InvocationRequest {
  readonly id: number;
  readonly invocation: Invocation;
}

export interface InvocationReply {
  readonly id: number;
  readonly result: InvocationResult;
}

export type Invocation =
  | { readonly kind: 'http'; readonly request: IncomingRequestParts }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly unknown[] };

export type InvocationErrorCode =
  | 'ACTOR_TRAPPED'
  | 'ACTOR_EXITED'
  | 'ACTOR_DEADLINE'
  | 'ACTOR_BUSY'
  | 'ACTOR_STOPPING'
  | 'ACTOR_CRASHED'
  | 'ACTOR_NO_SUCH_EXPORT'
  | 'ACTOR_CALL_FAILED';

export type InvocationResult =
  | { readonly ok: true; readonly value: HandledResponse | unknown }
  | { readonly ok: false; readonly code: InvocationErrorCode; readonly message: string };

/** A routed import, from the worker to the host, on the invocation channel. */
export interface ImportCall {
  readonly iface: string;
  readonly operation: string;
  readonly args: unknown[];
  /** The link this call goes over (`default` unless the actor chose another). */
  readonly linkName: string;
}

/** On the worker's parent port, from the pool: what is neither an invocation nor an import reply. */
export type ToWorker =
  | { readonly type: 'listen'; readonly id: number; readonly spec: ListenSpec }
  | { readonly type: 'unlisten'; readonly id: number; readonly handover: boolean }
  | { readonly type: 'stats'; readonly id: number };

/** On the worker's parent port, to the pool. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'log'; readonly level: ActorLogLevel; readonly context: string; readonly message: string }
  | { readonly type: 'listening'; readonly id: number; readonly error?: { readonly code: string; readonly message: string } }
  | { readonly type: 'unlistened'; readonly id: number }
  | { readonly type: 'stats'; readonly id: number; readonly stats: WorkerStats }
  | { readonly type: 'access'; readonly entries: readonly AccessEntry[] };
