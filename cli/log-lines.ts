import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { multistream, pino, type Logger } from 'pino';

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** One pino JSON line as a person reads it, or undefined for a request's access line (unless `verbose`). Pure. */
export function humanLogLine(json: string, verbose: boolean): string | undefined {
  const line = JSON.parse(json) as { level: number; msg: string; name?: string; stream?: string; reason?: string; code?: string };
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
        if (line !== undefined) out.write(`${line}\n`);
      }
      next();
    },
  });
}

/**
 * The host's logger: on a terminal, lines for a person (no access lines unless `verbose`), and
 * every JSON line to `logFile` too; piped, or with `json`, the JSON lines themselves.
 */
export function hostLogger(options: { readonly name: string; readonly level: string; readonly logFile: string; readonly verbose: boolean; readonly json: boolean }): Logger {
  if (!process.stdout.isTTY || options.json) return pino({ name: options.name, level: options.level });
  return pino(
    { name: options.name, level: options.level },
    multistream([
      { level: 'trace', stream: createWriteStream(options.logFile, { flags: 'a' }) },
      { level: 'trace', stream: humanLogStream(process.stdout, options.verbose) },
    ]),
  );
}
