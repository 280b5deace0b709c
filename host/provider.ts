import type { ListenSpec } from './http-ingress/index.ts';
import type { DisplayHandler, KeyValueHandler } from './contracts/index.ts';
import type { Link } from './links.ts';

export interface ProviderHealth {
  readonly healthy: boolean;
  readonly message?: string;
}

/** An address an actor's own threads listen on; closing it drains the requests in flight. */
export interface HttpServing {
  close(): Promise<void>;
}

/** What a display shows now, for `badger oled snapshot` and `watch`. */
export interface DisplaySnapshot {
  readonly panel: string;
  readonly width: number;
  readonly height: number;
  /** Rows top to bottom, `ceil(width / 8)` bytes each, most significant bit leftmost, base64. */
  readonly bits: string;
}

/** What the host offers a provider that serves actors' exports rather than their imports. */
export interface ProviderHost {
  /**
   * Has every worker of the actor listen on `spec` (SO_REUSEPORT) and serve its requests in that
   * thread: no hop through the host's thread per request.
   */
  serveHttp(actorId: string, spec: ListenSpec): Promise<HttpServing>;
}

/**
 * A capability provider: the host side of one or more WIT interfaces. It serves each contract it
 * fills in, hears about links to it, and reports its health. Every method may be async: the actor
 * waits while the provider works.
 */
export interface Provider {
  /** The instance id that links name as their target. */
  readonly id: string;
  readonly name: string;
  readonly keyvalue?: KeyValueHandler;
  readonly display?: DisplayHandler;
  /** Called once, when the host starts the provider, before any link reaches it. */
  attach?(host: ProviderHost): void;
  linkPut?(link: Link): void | Promise<void>;
  linkDel?(link: Link): void | Promise<void>;
  health?(): ProviderHealth | Promise<ProviderHealth>;
  /** For a display provider: what panel `panel` (or its first) shows; undefined when it has none. */
  snapshot?(panel?: string): DisplaySnapshot | undefined;
  shutdown?(): void | Promise<void>;
}

/** A provider's own health report; one that cannot answer is unhealthy, with why. */
export async function reportedHealth(provider: Provider): Promise<ProviderHealth> {
  try {
    return (await provider.health?.()) ?? { healthy: true };
  } catch (error) {
    return { healthy: false, message: (error as Error)?.message ?? String(error) };
  }
}
