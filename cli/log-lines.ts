import { basename, dirname } from 'node:path';
import { Writable } from 'node:stream';
import { multistream, pino, type Logger, type StreamEntry } from 'pino';
import { createStream } from 'rotating-file-stream';
import { clearSpinnerLine } from './progress.ts';

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * One pino JSON line as a person reads it, or undefined for a request's access line (unless
 * `verbose`). A line that is not JSON (an older host's note) is shown as it is. Pure.
 */
export function humanLogLine(json: string, verbose: boolean): string | undefined {
  let line: { level: number; msg: string; name?: string; stream?: string; reason?: string; code?: string; note?: boolean };
  try {
    line = JSON.parse(json) as typeof line;
  } catch {
    return json;
  }
  if (line.note) return line.msg;
  if (line.msg === 'http request' && line.level < 40 && !verbose) return undefined;
  const level = line.stream ?? LEVEL_NAMES[line.level] ?? String(line.level);
  const who = line.name && line.name !== 'badger-host' ? `[${line.name}] ` : '';
  const why = [line.code, line.reason].filter(Boolean).join(': ');
  return `${who}${level}: ${line.msg}${why ? ` (${why})` : ''}`;
}

/** A stream that writes pino's JSON lines to `out` as lines for a person. */
export function humanLogStream(out: NodeJS.WritableStream, verbose: boolean): Writable {
  return new Writable({
    write(chunk, _encoding, next) {
      for (const json of String(chunk).split('\n').filter(Boolean)) {
        const line = humanLogLine(json, verbose);
        if (line === undefined) continue;
        clearSpinnerLine();
        out.write(`${line}\n`);
      }
      next();
    },
  });
}

/** Where a host's log lines go. */
export type LogDestination =
  /** Lines for a person on stdout; every JSON line to the log file. */
  | 'terminal'
  /** The JSON lines on stdout, for whatever reads the pipe. */
  | 'stdout'
  /** The JSON lines to the log file only: a detached host, whose notes are log lines too. */
  | 'file';

/** Pure: a detached host writes its file; `--json` or a pipe wants JSON; a terminal, lines for a person. */
export function logDestination(options: { readonly detached: boolean; readonly json: boolean; readonly terminal: boolean }): LogDestination {
  if (options.detached) return 'file';
  return options.json || !options.terminal ? 'stdout' : 'terminal';
}

/** How many full log files are kept besides the current one: host.log.1 (the newest) to host.log.3. */
export const KEPT_LOG_FILES = 3;

/** The default for `--log-max-size`. */
export const DEFAULT_LOG_MAX_SIZE = '10M';

export interface HostLog {
  readonly logger: Logger;
  /** Says a line for a person: on stderr, or, for a detached host, into its log (marked as a note). */
  readonly note: (line: string) => void;
  /** Writes out what is buffered; the file is complete when it settles. */
  readonly close: () => Promise<void>;
}

/**
 * The host's log. The file rotates by size (`maxSize`, such as "10M"): `host.log` is always the
 * current one, and the `KEPT_LOG_FILES` before it are kept as host.log.1, .2, .3.
 */
export function hostLog(options: {
  readonly name: string;
  readonly level: string;
  readonly logFile: string;
  readonly maxSize: string;
  readonly verbose: boolean;
  readonly destination: LogDestination;
  readonly note: (line: string) => void;
}): HostLog {
  const { name, level, destination } = options;
  if (destination === 'stdout') return { logger: pino({ name, level }), note: options.note, close: async () => {} };
  const file = createStream(basename(options.logFile), { path: dirname(options.logFile), size: options.maxSize, rotate: KEPT_LOG_FILES, mode: 0o600 });
  // A log that cannot be written (a full disk) must not take the host down with it: say so once.
  let said = false;
  file.on('error', (error) => {
    if (!said) options.note(`cannot write ${options.logFile}: ${error.message}; the host carries on without it`);
    said = true;
  });
  const streams: StreamEntry[] = [{ level: 'trace', stream: file }];
  if (destination === 'terminal') streams.push({ level: 'trace', stream: humanLogStream(process.stdout, options.verbose) });
  const logger = pino({ name, level }, multistream(streams));
  return {
    logger,
    note: destination === 'file' ? (line) => logger.info({ note: true }, line) : options.note,
    close: () => new Promise((resolve) => file.end(resolve)),
  };
}
