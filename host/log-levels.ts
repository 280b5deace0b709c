/** The levels an operator picks from; an actor's `wasi:logging` levels map onto them (critical → fatal). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
