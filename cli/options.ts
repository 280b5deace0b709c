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
