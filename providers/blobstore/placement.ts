import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Where a file link's store is, for an actor's thread to use it itself (see contract.ts): only a
 * thread of the provider's own process may, since `root` is a path on the provider's machine, and
 * a provider may serve actors on other hosts of the lattice.
 */
export interface FilePlacement {
  /** The process the provider runs in (see processIdentity). */
  readonly process: string;
  readonly root: string;
  /** Where the containers the link does not map live: `<prefix><name>`. */
  readonly prefix: string;
  /** The actor's container names → the store's, as the link maps them. */
  readonly containers: Readonly<Record<string, string>>;
  readonly maxObjectBytes: number;
}

/** This process on this machine's current boot: the same in every thread of it, different in any other process. */
export function processIdentity(): string {
  let boot: string;
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    boot = hostname();
  }
  return `${boot}/${process.pid}`;
}
