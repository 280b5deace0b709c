import { CliError } from './errors.ts';

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * Parses `30d`, `12h`, `90m`, `45s` or `2w` into seconds. A bare number means days, as with
 * wash's `--expires-in-days`.
 */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)\s*([smhdw]?)$/.exec(text.trim());
  if (!match) {
    throw new CliError('CLI_BAD_ARGUMENT', `${option}: "${text}" is not a duration; use a number with s, m, h, d or w (e.g. 30d)`);
  }
  return Number(match[1]) * SECONDS_PER_UNIT[match[2] || 'd']!;
}
