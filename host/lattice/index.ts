export { LatticeError, type LatticeErrorCode } from '../errors.ts';
export { cloudEvent, EVENT_TYPE_PREFIX, type CloudEvent } from './cloud-events.ts';
export { HUB_JETSTREAM_DOMAIN, hubConfig, latticePermissions, leafConfig, type HubConfig, type LatticeUsers, type LeafConfig, type Permissions } from './nats-config.ts';
export { NATS_SERVER_MISSING, runNatsServer, runNatsServerWith, type NatsProcess } from './nats-process.ts';
export { allEventsSubject, checkLatticeName, CONTROL_VERSION, controlSubject, controlSubscriptions, DEFAULT_LATTICE, eventSubject, rpcSubject, serviceSubject, SUBJECT_PREFIX } from './subjects.ts';
export { auction, authenticatorFor, connectLattice, discoverHosts, discoverProviders, latticeControlClient, pickHost, requestLattice, type LatticeCredentials } from './lattice-client.ts';
export { CONTROL_WIRE_VERSION, controlReplyFrom, satisfies, type AuctionRequest, type ControlEnvelope, type ControlReplyEnvelope, type HostSummary, type LatticeRequest, type ProviderPingRequest, type ProviderSummary } from './control-wire.ts';
export { DEFAULT_HEARTBEAT_MS, eventPublisher, followLinks, joinLattice, summarizeHost, type LatticeHostOptions, type LatticeMembership } from './lattice-host.ts';
export { callRemoteActor, callRemoteProvider, natsRemoteTargets, callRemoteService, probeTarget, serveActorRpc, serveProviderRpc } from './rpc.ts';
export type { ActorRpcRequest, HeldLinks, RemoteHttpRequest, RemoteHttpResponse } from '../remote-targets.ts';
export { serveStandaloneProvider, type StandaloneProvider, type StandaloneProviderOptions } from './standalone-provider.ts';
export { FORWARD_TIMEOUT_MS, forwardFailureStatus, latticeHttpHost } from './http-forwarder.ts';
export { latticeKv, NoJetStreamError, openLatticeBuckets } from './jetstream.ts';
export { openLatticeObjectStores } from './object-stores.ts';
export { LatticeBus, type Inbound, type LatticeBusOptions, type LatticeIdentity } from './lattice-bus.ts';
export { isLocked, issueVoucher, memberRefusal, type LatticeTrust } from './trust.ts';
export { isDown } from './connection-state.ts';
// The NATS types the rest of the project names, so that only this folder imports nats.
export type { KV, KvOptions, NatsConnection } from 'nats';
