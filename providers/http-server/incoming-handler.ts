import { IncomingRequest, ResponseOutparam, type ErrorCode, type IncomingRequestParts, type OutgoingResponse } from './wasi-http-types.ts';
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
    // No outgoing HTTP provider exists yet: sending is refused, as the WIT's error-code allows.
    'wasi:http/outgoing-handler': {
      handle: () => {
        throw { payload: { tag: 'HTTP-request-denied' } };
      },
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

/**
 * Calls the guest's handler with one request. `onResponse` hears of the response as soon as the
 * guest sets it, while the guest may still be writing its body; resolves when the handler returns.
 */
export async function dispatchIncoming(
  handler: IncomingHandlerExport,
  request: IncomingRequestParts,
  onResponse: (response: OutgoingResponse) => void,
): Promise<void> {
  let refused: ErrorCode | undefined;
  let answered = false;
  await handler.handle(
    new IncomingRequest(request),
    new ResponseOutparam((settled) => {
      answered = true;
      if (settled.tag === 'err') refused = settled.val;
      else onResponse(settled.val);
    }),
  );
  if (!answered) throw new NoResponseError('the actor returned without setting a response');
  if (refused) throw new NoResponseError(`the actor answered with error ${refused.tag}`);
}

/** Calls the guest's handler with one request and collects its whole response. */
export async function callIncomingHandler(handler: IncomingHandlerExport, request: IncomingRequestParts): Promise<HandledResponse> {
  const chunks: Uint8Array[] = [];
  let head: { status: number; headers: [string, string][] } | undefined;
  const decoder = new TextDecoder();
  await dispatchIncoming(handler, request, (response) => {
    head = { status: response.statusCode(), headers: response.headers().entries().map(([name, value]) => [name, decoder.decode(value)]) };
    response.sendBodyTo({ ...io.callbackSink((chunk) => chunks.push(chunk)), finish: () => {} });
  });
  return { ...head!, body: Buffer.concat(chunks) };
}
