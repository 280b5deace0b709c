/**
 * HTTP into an actor: the listener each of its worker threads runs on the address a link names
 * (SO_REUSEPORT), and the bridge between node:http and the guest's wasi:http. A provider decides
 * where to listen and hands the host a ListenSpec; the host runs the listening.
 */
export type { ListenSpec } from './listen-spec.ts';
export { headerPairs } from './node-bridge.ts';
export { HOST_ANSWERS, WorkerListener, type AccessEntry, type AccessLog, type ListenerStats, type RequestRunner, type RunOutcome } from './worker-listener.ts';
