import type { AccessEntry, ListenSpec } from './http-ingress/index.ts';
import type { HandledResponse, IncomingRequestParts } from './wasi/index.ts';
import type { ActorLogLevel } from './wasi/index.ts';
import type { WorkerChannelEnd } from './invocation-channel.ts';

/** What a thread needs to run an actor; the component is already transpiled into `componentDir`. */
export interface WorkerSetup {
  readonly actorId: string;
  readonly componentDir: string;
  readonly routed: readonly string[];
  /** The modules of the contracts that carry its routed imports: the thread loads their guest side. */
  readonly contractModules: readonly string[];
  /** Routed interfaces served by other actors, with their function names (as jco spells them). */
  readonly actorImports: Readonly<Record<string, readonly string[]>>;
  /** The component's core modules, compiled once with the memory limit written in, shared by every thread. */
  readonly modules: Readonly<Record<string, WebAssembly.Module>>;
  /** A fresh instance for every HTTP request (a fetch-event component). */
  readonly singleRequestInstances: boolean;
  /**
   * Whether the actor's log takes a line for every request (its level lets info through). When not,
   * its threads send the host only the requests the host answered itself, which it logs as warnings.
   */
  readonly logsEveryRequest: boolean;
}

/** One actor on one thread (a tenant): its code, and the limits the thread keeps for it. */
export interface TenantSetup extends WorkerSetup {
  /** Deadline of each call and request, kept in the thread for a guest that waits. */
  readonly deadlineMs: number;
  /** Requests of its own listeners that may wait for the thread; one more gets 503. */
  readonly queueLimit: number;
  /** An instance unused this long is dropped; the next call makes a new one. */
  readonly idleMs: number;
}

/** What a thread starts with: its end of the invocation channel, and where it says what it runs. */
export interface WorkerData {
  readonly channel: WorkerChannelEnd;
  /** [work begun, 1 while one runs, whose, 1 if an HTTP request]: the host's watchdog reads them to find a guest stuck in a loop. */
  readonly busy: SharedArrayBuffer;
  /** Counters the thread checks what it remembers against: GENERATION_ROUTING and GENERATION_KEPT_READS. */
  readonly generations: SharedArrayBuffer;
}

/** Bumped when a link or a provider comes or goes (see routesChanged). */
export const GENERATION_ROUTING = 0;
/** Bumped when a provider's store that actors' threads keep reads of was written (see forgetKeptReads). */
export const GENERATION_KEPT_READS = 1;
export const GENERATION_SLOTS = 2;

export const BUSY_BEGUN = 0;
export const BUSY_RUNNING = 1;
export const BUSY_TENANT = 2;
export const BUSY_HTTP = 3;
export const BUSY_SLOTS = 4;

/** What the thread reports of one tenant's HTTP work, for leak checks and inventories. */
export interface WorkerStats {
  readonly instances: number;
  readonly openSockets: number;
  readonly inFlight: number;
  /** The size V8 gave the thread's young generation, which ACTOR_THREAD_YOUNG_GENERATION_MB caps. */
  readonly youngGenerationBytes: number;
}

export interface InvocationRequest {
  readonly id: number;
  readonly tenant: number;
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

/** A routed import, from a thread to the host, on the invocation channel. */
export interface ImportCall {
  /** Whose guest called it. */
  readonly tenant: number;
  readonly iface: string;
  readonly operation: string;
  readonly args: unknown[];
  /** The link this call goes over (`default` unless the actor chose another). */
  readonly linkName: string;
}

/** On the thread's parent port, from the host: what is neither an invocation nor an import reply. Each is answered by `id`. */
export type ToWorker =
  | { readonly type: 'add-tenant'; readonly id: number; readonly tenant: number; readonly setup: TenantSetup }
  | { readonly type: 'remove-tenant'; readonly id: number; readonly tenant: number }
  | { readonly type: 'listen'; readonly id: number; readonly tenant: number; readonly listener: number; readonly spec: ListenSpec }
  | { readonly type: 'unlisten'; readonly id: number; readonly listener: number; readonly handover: boolean }
  | { readonly type: 'stats'; readonly id: number; readonly tenant: number };

/** On the thread's parent port, to the host. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'tenant-added'; readonly id: number; readonly error?: string }
  | { readonly type: 'tenant-removed'; readonly id: number }
  | { readonly type: 'log'; readonly tenant: number; readonly level: ActorLogLevel; readonly context: string; readonly message: string }
  | { readonly type: 'listening'; readonly id: number; readonly error?: { readonly code: string; readonly message: string } }
  | { readonly type: 'unlistened'; readonly id: number }
  | { readonly type: 'stats'; readonly id: number; readonly stats: WorkerStats }
  | { readonly type: 'access'; readonly tenant: number; readonly entries: readonly AccessEntry[] };
