import type { KeyValueHandler } from './contracts/index.ts';
import type { Link } from './links.ts';

export interface ProviderHealth {
  readonly healthy: boolean;
  readonly message?: string;
}

/**
 * A capability provider: the host side of one or more WIT interfaces. It serves each contract it
 * fills in, hears about links to it, and reports its health. Every method may be async: the actor
 * waits (JSPI) while the provider works.
 */
export interface Provider {
  /** The instance id that links name as their target. */
  readonly id: string;
  readonly name: string;
  readonly keyvalue?: KeyValueHandler;
  linkPut?(link: Link): void | Promise<void>;
  linkDel?(link: Link): void | Promise<void>;
  health?(): ProviderHealth | Promise<ProviderHealth>;
  shutdown?(): void | Promise<void>;
}
