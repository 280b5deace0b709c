import { HttpServerError } from '../errors.ts';
import { IncomingRequest, ResponseOutparam, type ErrorCode, type IncomingRequestParts, type OutgoingResponse } from './http.ts';
import * as io from './io.ts';

/** The interface an actor exports to serve HTTP. */
export const HTTP_INCOMING_HANDLER = 'wasi:http/incoming-handler';

/** A guest's `wasi:http/incoming-handler` export, as jco presents it. */
export interface IncomingHandlerExport {
  handle(request: IncomingRequest, responseOut: ResponseOutparam): void | Promise<void>;
}

export interface HandledResponse {
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
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
  const incoming = new IncomingRequest(request);
  try {
    await handler.handle(
      incoming,
      new ResponseOutparam((settled) => {
        answered = true;
        if (settled.tag === 'err') refused = settled.val;
        else onResponse(settled.val);
      }),
    );
  } finally {
    incoming.retire();
  }
  if (!answered) throw new HttpServerError('HTTP_NO_RESPONSE', 'the actor returned without setting a response');
  if (refused) throw new HttpServerError('HTTP_NO_RESPONSE', `the actor answered with error ${refused.tag}`);
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
