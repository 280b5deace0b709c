import type { HandledResponse, IncomingRequestParts } from '../providers/http-server/index.ts';
import type { LogLevel } from './ambient-imports.ts';
import type { WorkerChannelEnd } from './invocation-channel.ts';
import type { CallOutcome } from './router.ts';

/** What an actor's worker needs to run it; the component is already transpiled into `componentDir`. */
export interface WorkerSetup {
  readonly actorId: string;
  readonly componentDir: string;
  readonly routed: readonly string[];
  /** Routed interfaces served by other actors, with their function names (as jco spells them). */
  readonly actorImports: Readonly<Record<string, readonly string[]>>;
  readonly config: Readonly<Record<string, string>>;
  /** The component's core modules, compiled once with the memory limit written in, shared by every worker. */
  readonly modules: Readonly<Record<string, WebAssembly.Module>>;
}

/** What the pool sends one worker: the setup, and its end of the invocation channel. */
export interface WorkerData extends WorkerSetup {
  readonly channel: WorkerChannelEnd;
}

export interface InvocationRequest {
  readonly id: number;
  readonly invocation: Invocation;
}

export interface InvocationReply {
  readonly id: number;
  readonly result: InvocationResult;
  /** The worker ends itself after this reply; give it no more work. */
  readonly retire?: boolean;
}

export type Invocation =
  | { readonly kind: 'http'; readonly request: IncomingRequestParts }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly unknown[] };

export type InvocationErrorCode =
  | 'ACTOR_TRAPPED'
  | 'ACTOR_DEADLINE'
  | 'ACTOR_BUSY'
  | 'ACTOR_STOPPING'
  | 'ACTOR_CRASHED'
  | 'ACTOR_NO_SUCH_EXPORT'
  | 'ACTOR_CALL_FAILED';

export type InvocationResult =
  | { readonly ok: true; readonly value: HandledResponse | unknown }
  | { readonly ok: false; readonly code: InvocationErrorCode; readonly message: string };

/** On the worker's parent port: everything but invocations, which use the invocation channel. */
export type ToWorker = { readonly type: 'import-result'; readonly callId: number; readonly outcome: CallOutcome };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'import-call'; readonly callId: number; readonly iface: string; readonly operation: string; readonly args: unknown[] }
  | { readonly type: 'log'; readonly level: LogLevel | 'stderr'; readonly context: string; readonly message: string };
