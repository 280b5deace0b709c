export { encodeControlJson } from './json-lines.ts';
export { defaultSocketPath, requestLocalHost, serveLocalSocket } from './local-socket.ts';
export { handleControlRequest, type ApplicationControl, type ControlRequest, type ControlResponse, type HostIdentity } from './operations.ts';
