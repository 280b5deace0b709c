/**
 * What a contract's guest side may use at run time, beside types: the host's own wasi:io stream
 * and wasi:http classes, so that a provider's interface can hand the guest a stream (a blob's body)
 * or a response (an outgoing request's) that jco recognises as the resource it imported. A contract
 * module loads in every actor thread that imports its interfaces, so it reaches the host only
 * through this small module, never through index.ts, which brings the whole host with it. (The
 * error class and the link-config helper are here for a guest side that reads its link's config.)
 */
export { WitError } from './contract.ts';
export { BadgerError } from './errors.ts';
export type { ErrorCode } from './error-codes.ts';
export { positiveIntegerSetting } from './link-config-values.ts';
export { FutureIncomingResponse, methodToString, type BodyConsumer, type ErrorCode as HttpErrorCode, type OutgoingOutcome, type OutgoingRequest, type RequestOptions } from './wasi/http.ts';
export { bytesSource, callbackSink, InputStream, OutputStream, Pollable, streamSource, type ByteSink, type ByteSource, type StreamSource } from './wasi/io.ts';
