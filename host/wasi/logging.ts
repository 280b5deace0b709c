/** Host side of wasi:logging (draft): an actor's log lines go to the host's log, under its id. */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical';
/** A log level, or the standard stream a line was written to. */
export type ActorLogLevel = LogLevel | 'stdout' | 'stderr';
export type ActorLog = (level: ActorLogLevel, context: string, message: string) => void;

export function loggingImports(log: ActorLog): Record<string, Record<string, unknown>> {
  return {
    'wasi:logging/logging': {
      log: (level: LogLevel, context: string, message: string) => log(level, context, message),
    },
  };
}
