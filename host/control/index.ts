export { encodeControlJson } from './json-lines.ts';
export { defaultSocketPath, requestLocalHost, serveLocalSocket } from './local-socket.ts';
export { handleControlRequest, providerKind, type ApplicationControl, type ApplicationState, type ApplicationStatus, type CalledHttpResponse, type ControlOp, type ControlReplies, type ControlRequest, type ControlRequestOf, type ControlResponse, type HostIdentity, type HostInventory, type ProviderKind, type ProviderRef } from './operations.ts';
export { inProcessControlClient, localControlClient, replyOf, type ControlClient } from './control-client.ts';
export { isRefusal, parseRequest, type ControlRefusal, type SchemaKit } from './control-schema.ts';
export { MAX_CONTROL_LINE_BYTES } from './json-lines.ts';
