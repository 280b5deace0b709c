import type { ControlRequest, ControlResponse } from '../control/index.ts';

/** Every control message carries this, so that both ends can tell an old peer from a new one. */
export const CONTROL_WIRE_VERSION = 1;

export interface ControlEnvelope {
  readonly version: number;
  readonly request: ControlRequest;
}

export interface ControlReplyEnvelope {
  readonly version: number;
  readonly host: string;
  readonly response: ControlResponse;
}

/** What a host says of itself in pings and heartbeats. */
export interface HostSummary {
  readonly id: string;
  readonly lattice: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly version: string;
  readonly uptimeSeconds: number;
  readonly actors: readonly { readonly id: string; readonly name: string; readonly maxInstances: number }[];
  readonly providers: readonly { readonly id: string; readonly name: string }[];
}
