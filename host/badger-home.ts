import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$BADGER_HOME`, or `~/.badger`: keys, the control socket, caches and local stores live here. */
export function badgerHome(): string {
  return process.env.BADGER_HOME ?? join(homedir(), '.badger');
}

/** `badgerHome()`, made on first use, readable by its owner only: it holds keys and the control socket. */
export function ensureBadgerHome(): string {
  const home = badgerHome();
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return home;
}
