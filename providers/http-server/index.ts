export { callIncomingHandler, dispatchIncoming, NoResponseError, wasiHttpImports, type HandledResponse, type IncomingHandlerExport } from './incoming-handler.ts';
export { HttpServerError, type HttpServerErrorCode } from '../../host/index.ts';
export { DEFAULT_ADDRESS, DEFAULT_MAX_BODY_BYTES, parseAddress, parseHttpLinkConfig, type ListenSpec } from './link-config.ts';
export { Fields, IncomingRequest, methodFromString, methodToString, type IncomingRequestParts, type OutgoingResponse } from './wasi-http-types.ts';
export { InputStream, monotonicNow, OutputStream, Pollable, suspendGuestsOnWait } from './wasi-io.ts';
export { headerPairs, HOST_ANSWERS, WorkerListener, type AccessEntry, type ListenerStats, type RequestRunner, type RunOutcome } from './worker-listener.ts';
export { HTTP_INCOMING_HANDLER, httpServerProvider, type HttpServerProviderOptions, type ServedAddress } from './http-server-provider.ts';
