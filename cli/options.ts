import { resolve } from 'node:path';
import { isLatticeReference, LATTICE_SCHEME, parseLatticeReference } from '../host/artifacts/lattice-reference.ts';
import { formatOciReference, isOciReference, parseOciReference } from '../host/artifacts/oci-reference.ts';
import { LOG_LEVELS, type LogLevel } from '../host/log-levels.ts';
import { CliError } from './errors.ts';

/** For repeatable options: each use adds its value to the list. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `k=v` options into a map, refusing anything without an `=`. */
export function keyValuePairs(pairs: readonly string[], option: string): Record<string, string> {
  const entries = pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError('CLI_BAD_ARGUMENT', `${option} takes key=value, not "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)] as const;
  });
  return Object.fromEntries(entries);
}

/** A whole number from `min` to `max` given to `option`, or a CLI_BAD_ARGUMENT naming it. */
export function integerOption(text: string, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError('CLI_BAD_ARGUMENT', `${option}: "${text}" is not a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`);
  }
  return value;
}

export const positive = (text: string, option: string): number => integerOption(text, option, 1);
export const portNumber = (text: string, option: string): number => integerOption(text, option, 1, 65535);
/** The copies JetStream keeps of a stream: one to five (a cluster's servers). */
export const replicaCount = (text: string, option: string): number => integerOption(text, option, 1, 5);

/** A log level given to `option`, or a CLI_BAD_ARGUMENT naming the levels there are. */
export function logLevel(text: string, option: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(text)) throw new CliError('CLI_BAD_ARGUMENT', `${option}: "${text}" is not a log level; one of ${LOG_LEVELS.join(', ')}`);
  return text as LogLevel;
}

/** A file size given to `option`, such as 500K, 10M or 1G (what rotating-file-stream takes), or a CLI_BAD_ARGUMENT. */
export function logSize(text: string, option: string): string {
  if (!/^[1-9]\d*[KMG]$/.test(text)) throw new CliError('CLI_BAD_ARGUMENT', `${option}: "${text}" is not a size such as 500K, 10M or 1G`);
  return text;
}

/**
 * What a host is given for a component: a URL or a reference (`oci://`, `lattice://`) as written,
 * checked here so that a typo is named before the host is asked; a path made absolute, since the
 * host has a working directory of its own.
 */
export function componentLocation(text: string): string {
  if (/^https?:\/\//i.test(text)) return text;
  if (isOciReference(text)) return formatOciReference(parseOciReference(text));
  if (isLatticeReference(text)) return `${LATTICE_SCHEME}${parseLatticeReference(text)}`;
  return resolve(text);
}
