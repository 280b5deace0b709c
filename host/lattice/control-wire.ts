import type { ControlRequest, ControlResponse, SchemaKit } from '../control/index.ts';
import type { ProviderHealth } from '../provider.ts';

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

/** Every host answers with the providers it runs, and every standalone provider with itself. */
export interface ProviderPingRequest {
  readonly op: 'ping-providers';
}

/** What travels on the control subjects: the local socket's operations, auctions and provider discovery. */
export type LatticeRequest = ControlRequest | AuctionRequest | ProviderPingRequest;

/** The operations the lattice takes beyond the host's own, as schemas (control-schema.ts has the rest). */
export function latticeOperations(z: SchemaKit) {
  return {
    auction: z.strictObject({ op: z.literal('auction'), constraints: z.record(z.string().max(256), z.string().max(256)) }),
    'ping-providers': z.strictObject({ op: z.literal('ping-providers') }),
  };
}

/** What travels on a control subject; who sent it is in the message's Badger-Auth stamp. */
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
  /** The NATS server the host is connected to now (`host:port`), when it says. */
  readonly server?: string;
  readonly actors: readonly { readonly id: string; readonly name: string; readonly maxInstances: number }[];
  readonly providers: readonly { readonly id: string; readonly name: string }[];
}

/** A provider as lattice-wide inventory shows it: run by a host, or standalone with its own `V…` key. */
export interface ProviderSummary {
  readonly id: string;
  readonly name: string;
  /** The host (`N…`) that runs it, or the standalone provider's own key (`V…`). */
  readonly runBy: string;
  readonly standalone: boolean;
  readonly health: ProviderHealth;
}

/** Pure: the control reply in a message's text, or undefined when it is not one. */
export function controlReplyFrom(text: string): ControlReplyEnvelope | undefined {
  let reply: Partial<ControlReplyEnvelope>;
  try {
    reply = JSON.parse(text) as Partial<ControlReplyEnvelope>;
  } catch {
    return undefined;
  }
  const response = reply?.response as Partial<ControlResponse> | undefined;
  if (reply?.version !== CONTROL_WIRE_VERSION || typeof reply.host !== 'string' || typeof response !== 'object' || response === null || typeof response.ok !== 'boolean') return undefined;
  return reply as ControlReplyEnvelope;
}
