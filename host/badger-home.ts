import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$BADGER_HOME`, or `~/.badger`: keys, the control socket, caches and local stores live here. */
export function badgerHome(): string {
  return process.env.BADGER_HOME ?? join(homedir(), '.badger');
}
