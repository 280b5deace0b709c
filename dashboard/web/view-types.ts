/** What the page shows: the lattice at one moment. Shared by the page and the server, so it imports nothing. */

export interface Health {
  readonly healthy: boolean;
  readonly message?: string;
}

export interface DashboardView {
  /** The lattice's name; null for the one host of this machine when it is on no lattice. */
  readonly lattice: string | null;
  readonly hosts: readonly HostView[];
  /** Providers that run in a process of their own. */
  readonly standaloneProviders: readonly ProviderView[];
  readonly links: readonly LinkView[];
  /** Display providers (in hosts or standalone), whose panels the page mirrors. */
  readonly displays: readonly string[];
}

export interface HostView {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly version: string;
  readonly uptimeSeconds: number;
  /** It answered; and when its inventory could not be read, why. */
  readonly healthy: boolean;
  readonly problem?: string;
  readonly actors: readonly ActorView[];
  readonly providers: readonly ProviderView[];
}

export interface ActorView {
  readonly id: string;
  readonly name: string;
  readonly maxInstances: number;
  readonly capabilities: readonly string[];
  readonly issuer?: string;
}

export interface ProviderView {
  readonly id: string;
  readonly name: string;
  readonly runBy: string;
  readonly health: Health;
}

export interface LinkView {
  readonly source: string;
  readonly interface: string;
  readonly name: string;
  readonly target: string;
  readonly config: Readonly<Record<string, string>>;
  readonly health?: Health;
}

/** What a display shows: rows top to bottom, `ceil(width / 8)` bytes each, most significant bit leftmost, base64. */
export interface PanelSnapshot {
  readonly panel: string;
  readonly width: number;
  readonly height: number;
  readonly bits: string;
}

/** The operations the page may ask for: the control interface's, no others. */
export const PAGE_ACTIONS = ['start-actor', 'stop-actor', 'scale-actor', 'put-link', 'del-link'] as const;
