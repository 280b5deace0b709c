import type { ControlRequest, ControlResponse } from '../control/index.ts';

/** Every control message carries this, so that both ends can tell an old peer from a new one. */
export const CONTROL_WIRE_VERSION = 1;

/**
 * An auction: every host whose labels hold all the constraints answers with its summary, and the
 * others stay silent; the asker then picks one and sends it the operation.
 */
export interface AuctionRequest {
  readonly op: 'auction';
  readonly constraints: Readonly<Record<string, string>>;
}

/** What travels on the control subjects: the local socket's operations, and auctions. */
export type LatticeRequest = ControlRequest | AuctionRequest;

export interface ControlEnvelope {
  readonly version: number;
  readonly request: LatticeRequest;
}

/** Pure: whether a host with `labels` may take work asking for `constraints`. */
export function satisfies(labels: Readonly<Record<string, string>>, constraints: Readonly<Record<string, string>>): boolean {
  return Object.entries(constraints).every(([key, value]) => labels[key] === value);
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
