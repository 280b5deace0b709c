/**
 * The host side of the WASI interfaces every actor may import, one file per package as jco's
 * preview2-shim has them. Providers serve what goes beyond these.
 */
import { cliImports } from './cli.ts';
import { clocksImports } from './clocks.ts';
import { configImports, type ConfigSource } from './config.ts';
import { filesystemImports } from './filesystem.ts';
import { httpImports } from './http.ts';
import { ioImports } from './io.ts';
import { loggingImports, type ActorLog } from './logging.ts';
import { randomImports } from './random.ts';
import { socketsImports } from './sockets.ts';

export { ActorExited } from './cli.ts';
export type { ConfigSource } from './config.ts';
export type { ActorLog, ActorLogLevel, LogLevel } from './logging.ts';
export { callbackSink, InputStream, monotonicNow, OutputStream, Pollable, suspendGuestsOnWait, type ByteSink, type ByteSource } from './io.ts';
export { Fields, IncomingRequest, methodFromString, methodToString, type BodyConsumer, type IncomingRequestParts, type OutgoingResponse } from './http.ts';
export { callIncomingHandler, dispatchIncoming, HTTP_INCOMING_HANDLER, type HandledResponse, type IncomingHandlerExport } from './http-incoming.ts';

/**
 * The interfaces every actor gets without a claim, because they grant nothing: clocks,
 * randomness, logging (to the host's log, under the actor's id), the standard streams (the same
 * log), an environment and config from its own config, an empty filesystem and sockets that
 * refuse every operation.
 */
export function ambientImports(log: ActorLog, config: ConfigSource): Record<string, Record<string, unknown>> {
  return {
    ...clocksImports(),
    ...randomImports(),
    ...loggingImports(log),
    ...cliImports(log, config),
    ...configImports(config),
    ...filesystemImports(),
    ...socketsImports(),
  };
}

/** The wasi:http types and wasi:io streams an HTTP actor works with. */
export function wasiHttpImports(): Record<string, Record<string, unknown>> {
  return { ...httpImports(), ...ioImports() };
}

/** What the host's own objects hold for each interface it serves itself: functions and resource classes, as jco looks them up. */
export function hostInterfaceMembers(): Record<string, string[]> {
  const objects = { ...ambientImports(() => {}, {}), ...wasiHttpImports() };
  return Object.fromEntries(Object.entries(objects).map(([iface, members]) => [iface, Object.keys(members)]));
}
