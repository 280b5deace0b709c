export { LatticeError, type LatticeErrorCode } from './errors.ts';
export { cloudEvent, EVENT_TYPE_PREFIX, type CloudEvent } from './cloud-events.ts';
export { hubConfig, leafConfig, type HubConfig, type LeafConfig } from './nats-config.ts';
export { NATS_SERVER_MISSING, runNatsServer, runNatsServerWith, type NatsProcess } from './nats-process.ts';
export { allEventsSubject, checkLatticeName, CONTROL_VERSION, controlSubject, controlSubscriptions, DEFAULT_LATTICE, eventSubject, rpcSubject, SUBJECT_PREFIX } from './subjects.ts';
export { auction, authenticatorFor, connectLattice, discoverHosts, pickHost, requestLattice, type LatticeCredentials } from './lattice-client.ts';
export { CONTROL_WIRE_VERSION, refusal, satisfies, signedEnvelope, SIGNATURE_MAX_SKEW_MS, type AuctionRequest, type ControlEnvelope, type ControlReplyEnvelope, type HostSummary, type LatticeRequest } from './control-wire.ts';
export { DEFAULT_HEARTBEAT_MS, joinLattice, summarizeHost, type LatticeHostOptions, type LatticeMembership } from './lattice-host.ts';
export { callRemoteProvider, serveProviderRpc } from './rpc.ts';
