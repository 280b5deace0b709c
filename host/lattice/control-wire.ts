import { verifyWithPublicKey, type KeyPair } from '../../claims/index.ts';
import type { ControlRequest, ControlResponse } from '../control/index.ts';
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

export interface ControlEnvelope {
  readonly version: number;
  readonly request: LatticeRequest;
  /** With a signature: the sender's public nkey, when it signed (epoch ms), and the Ed25519 signature (base64url). */
  readonly signer?: string;
  readonly issuedAt?: number;
  readonly signature?: string;
}

/** How far a signed request's time may be from the host's clock: a replay after that is refused. */
export const SIGNATURE_MAX_SKEW_MS = 60_000;

function signedBytes(version: number, issuedAt: number, request: LatticeRequest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify([version, issuedAt, request]));
}

/** An envelope signed with the sender's nkey, for hosts that take control only from an allow-list. */
export function signedEnvelope(request: LatticeRequest, signer: KeyPair, nowMs: number): ControlEnvelope {
  const signature = signer.sign(signedBytes(CONTROL_WIRE_VERSION, nowMs, request));
  return { version: CONTROL_WIRE_VERSION, request, signer: signer.publicKey, issuedAt: nowMs, signature: Buffer.from(signature).toString('base64url') };
}

/** Pure: why a host with this allow-list refuses the envelope, or undefined when it may proceed. */
export function refusal(envelope: ControlEnvelope, allowed: readonly string[], nowMs: number): string | undefined {
  if (allowed.length === 0) return undefined;
  const { signer, issuedAt, signature } = envelope;
  if (!signer || issuedAt === undefined || !signature) return 'this host takes only signed control requests';
  if (!allowed.includes(signer)) return `${signer} is not allowed to control this host`;
  if (Math.abs(nowMs - issuedAt) > SIGNATURE_MAX_SKEW_MS) return 'the request was signed too long ago (or its clock is off)';
  let valid = false;
  try {
    valid = verifyWithPublicKey(signer, signedBytes(envelope.version, issuedAt, envelope.request), Buffer.from(signature, 'base64url'));
  } catch {
    valid = false;
  }
  return valid ? undefined : 'the signature does not match the request';
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

/** A provider as lattice-wide inventory shows it: run by a host, or standalone with its own `V…` key. */
export interface ProviderSummary {
  readonly id: string;
  readonly name: string;
  /** The host (`N…`) that runs it, or the standalone provider's own key (`V…`). */
  readonly runBy: string;
  readonly standalone: boolean;
  readonly health: ProviderHealth;
}
