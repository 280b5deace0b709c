export { callIncomingHandler, NoResponseError, wasiHttpImports, type HandledResponse, type IncomingHandlerExport } from './incoming-handler.ts';
export { Fields, IncomingRequest, methodFromString, methodToString, type IncomingRequestParts } from './wasi-http-types.ts';
export { InputStream, monotonicNow, OutputStream, Pollable } from './wasi-io.ts';
