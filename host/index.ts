export { badgerHome, ensureBadgerHome } from './badger-home.ts';
export { BadgerError, ERROR_CODES, HostError, HttpServerError, isErrorCode, LatticeError, RemoteError, remoteError, type ErrorCode, type ErrorFamily, type HostErrorCode, type HttpServerErrorCode, type LatticeErrorCode } from './errors.ts';
export {
  allows,
  defaultPolicy,
  evaluatePolicy,
  parsePolicy,
  type CapabilityPatterns,
  type ComponentRule,
  type IssuerRule,
  type Policy,
  type PolicyDecision,
  type PolicyDenial,
} from './policy.ts';
export { loadPolicyFile } from './policy-file.ts';
export { exportPath } from './export-names.ts';
export { LOG_LEVELS, type LogLevel } from './log-levels.ts';
export { positiveIntegerSetting } from './link-config-values.ts';
export { planSuspension, witFunctionName, type KnownContracts, type SuspensionPlan } from './suspension.ts';
export { transpileToRun } from './run-bindings.ts';
export { BINDINGS_EDITS_DIGEST, cacheKey, compileCoreModules, generatorVersions, loadTranspiled, REUSABLE_INSTANCES_TAG, patchGeneratedBindings, singleRequestInstances, transpileCached, type BindingsEditReport, type ComponentMetadata, type LoadedComponent, type TranspiledComponent, type TranspileOptions } from './transpile-cache.ts';
export { exportDenial, isClaimedExport, offeredExports } from './grants.ts';
export {
  AMBIENT_PACKAGES,
  importRefusal,
  isAmbientInterface,
  isServedWhenClaimed,
  claimServing,
  resolveImports,
  splitImport,
  versionFits,
  type AmbientPackage,
  type ImportResolution,
  type ServedInterfaces,
} from './import-resolution.ts';
export { importReport, type ImportReportOptions } from './import-report.ts';
export { ArtifactPuller, isPulledReference, type LatticeArtifact, type LatticeArtifacts, type PulledArtifact } from './artifacts/artifact-puller.ts';
export { DEFAULT_FETCH_TIMEOUTS, DEFAULT_MAX_ARTIFACT_BYTES, readArtifact, type FetchTimeouts } from './artifact-source.ts';
export { serving, WitError, type Contract, type RoutedCall, type Served } from './contract.ts';
export { forgetKeptReads } from './actor-thread.ts';
export { Capabilities } from './capabilities.ts';
export { DEFAULT_LINK_NAME, LinkTable, type Link } from './links.ts';
export type { HttpServing, LinkConfigKey, Provider, ProviderContext, ProviderDescriptor, ProviderHealth, ProviderHost, ProviderService, WitInterface } from './provider.ts';
export { routeImportCall, type CallOutcome, type RemoteCallOutcome, type RouteTargets } from './router.ts';
export type { ActorRpcRequest, HeldLinks, LatticeAccess, LatticeBucket, LatticeBuckets, LatticeBucketsOpener, LatticeMessage, LatticeMessaging, LatticeMessagingOpener, LatticeObjectStore, LatticeObjectStores, LatticeObjectStoresOpener, RemoteHttpRequest, RemoteHttpResponse, RemoteTargets, Serving } from './remote-targets.ts';
export type { Invocation, InvocationErrorCode, InvocationResult } from './actor-protocol.ts';
export { startDaemon, type Daemon, type DaemonApplications, type DaemonContext, type DaemonLattice, type DaemonOptions } from './daemon.ts';
export { Host, type ActorSummary, type HostEventType, type HostOptions, type StartActorOptions } from './host.ts';
export {
  defaultSocketPath,
  encodeControlJson,
  handleControlRequest,
  inProcessControlClient,
  localControlClient,
  providerKind,
  replyOf,
  requestLocalHost,
  serveLocalSocket,
  type ApplicationControl,
  type ApplicationState,
  type ApplicationStatus,
  type CalledHttpResponse,
  type ControlClient,
  type ControlOp,
  type ControlReplies,
  type ControlRequest,
  type ControlRequestOf,
  type ControlResponse,
  type HostIdentity,
  type HostInventory,
  type ProviderKind,
  type ProviderRef,
} from './control/index.ts';
export { ambientImports, callIncomingHandler, HTTP_INCOMING_HANDLER, wasiHttpImports, type HandledResponse, type IncomingHandlerExport, type IncomingRequestParts } from './wasi/index.ts';
export type { ListenSpec } from './http-ingress/index.ts';
