export { encodeControlJson } from './json-lines.ts';
export { defaultSocketPath, requestLocalHost, serveLocalSocket } from './local-socket.ts';
export { handleControlRequest, type ApplicationControl, type ControlRequest, type ControlResponse, type HostIdentity } from './operations.ts';
export { isRefusal, parseRequest, type ControlRefusal, type SchemaKit } from './control-schema.ts';
export { MAX_CONTROL_LINE_BYTES } from './json-lines.ts';
