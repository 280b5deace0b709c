import type { LoadedActor } from '../fixtures/instantiate-actor.ts';
import { callIncomingHandler, type HandledResponse, type IncomingHandlerExport } from '../../host/index.ts';

/**
 * Sends one request to an actor's incoming handler and decodes the body as text. Given a loaded
 * actor rather than an instance, it answers from a fresh instance, as wasmtime serve and Spin do:
 * StarlingMonkey's fetch event cannot serve twice from one instance (StarlingMonkey#247).
 */
export async function request(
  target: LoadedActor | Record<string, unknown>,
  method: string,
  pathWithQuery: string,
  body = '',
): Promise<HandledResponse & { text: string; header: (name: string) => string | undefined }> {
  const exports: Record<string, unknown> = typeof target.instantiate === 'function' ? await (target as LoadedActor).instantiate() : (target as Record<string, unknown>);
  const response = await callIncomingHandler(exports.incomingHandler as IncomingHandlerExport, {
    method,
    pathWithQuery,
    scheme: 'http',
    authority: '127.0.0.1:8080',
    headers: body ? [['content-type', 'text/plain']] : [],
    body: new TextEncoder().encode(body),
  });
  return {
    ...response,
    text: new TextDecoder().decode(response.body),
    header: (name) => response.headers.find(([key]) => key === name)?.[1],
  };
}
