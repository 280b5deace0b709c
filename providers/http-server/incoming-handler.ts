import { IncomingRequest, ResponseOutparam, type IncomingRequestParts, type ResponseResult } from './wasi-http-types.ts';
import * as io from './wasi-io.ts';
import * as types from './wasi-http-types.ts';

/** The import object for the wasi:http and wasi:io interfaces, keyed as jco expects (no versions). */
export function wasiHttpImports(): Record<string, Record<string, unknown>> {
  return {
    'wasi:http/types': {
      Fields: types.Fields,
      IncomingRequest: types.IncomingRequest,
      IncomingBody: types.IncomingBody,
      FutureTrailers: types.FutureTrailers,
      OutgoingResponse: types.OutgoingResponse,
      OutgoingBody: types.OutgoingBody,
      ResponseOutparam: types.ResponseOutparam,
      OutgoingRequest: types.OutgoingRequest,
      RequestOptions: types.RequestOptions,
      FutureIncomingResponse: types.FutureIncomingResponse,
      IncomingResponse: types.IncomingResponse,
      httpErrorCode: types.httpErrorCode,
    },
    'wasi:io/poll': { Pollable: io.Pollable, poll: io.poll },
    'wasi:io/streams': { InputStream: io.InputStream, OutputStream: io.OutputStream },
    'wasi:io/error': { Error: io.IoError },
  };
}

/** A guest's `wasi:http/incoming-handler` export, as jco presents it. */
export interface IncomingHandlerExport {
  handle(request: IncomingRequest, responseOut: ResponseOutparam): void | Promise<void>;
}

export interface HandledResponse {
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
}

export class NoResponseError extends Error {
  readonly code = 'HTTP_NO_RESPONSE';
}

/** Calls the guest's handler with one request and collects its whole response. */
export async function callIncomingHandler(handler: IncomingHandlerExport, request: IncomingRequestParts): Promise<HandledResponse> {
  let result: ResponseResult | undefined;
  await handler.handle(new IncomingRequest(request), new ResponseOutparam((settled) => (result = settled)));
  if (!result) throw new NoResponseError('the actor returned without setting a response');
  if (result.tag === 'err') throw new NoResponseError(`the actor answered with error ${result.val.tag}`);
  const record = result.val.record();
  const decoder = new TextDecoder();
  return {
    status: record.status,
    headers: record.headers.map(([name, value]) => [name, decoder.decode(value)]),
    body: Buffer.concat(record.chunks),
  };
}
