/**
 * What a contract's guest side may use at run time, beside types: the host's own wasi:io stream
 * classes, so that a provider's interface can hand the guest a stream (a blob's body, an outgoing
 * request's body) that jco recognises as the `wasi:io/streams` resource it imported. A contract
 * module loads in every actor thread that imports its interfaces, so it reaches the host only
 * through this small module, never through index.ts, which brings the whole host with it.
 */
export { bytesSource, callbackSink, InputStream, OutputStream, Pollable, type ByteSink, type ByteSource } from './wasi/io.ts';
