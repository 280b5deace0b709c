export { appOperations, type AppOperations } from './app-operations.ts';
export { appBucket, fileAppStore, natsAppStore, natsLeaderLease, prepareAppState, type AppState, type AppStatus, type AppStore, type StoredApp } from './app-store.ts';
export { AppError, type AppErrorCode } from './errors.ts';
export { PROVIDER_KINDS, readManifest, type AppSpec, type ComponentSpec, type LinkSpec, type ManifestProblem, type ManifestReading, type Placement, type ProviderKind, type SpreadTarget } from './manifest.ts';
export { planApplication, shares, type ActorIdentity, type ObservedLattice, type Plan, type PlannedAction } from './planner.ts';
export { RECONCILE_INTERVAL_MS, startReconciler, type Reconciler, type ReconcilerIo } from './reconciler.ts';
