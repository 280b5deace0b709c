import type { PublicKey } from './nkeys.ts';

/**
 * The claims revision wascap writes today. wascap checks hashes from this revision on; badger checks
 * every revision, trying the layouts older revisions hashed (verify.ts).
 */
export const WASCAP_REVISION = 3;

/**
 * The `wascap` object of a component's claims, in wascap's wire names and field order, so that
 * `JSON.stringify` gives the same segment wash would.
 */
export interface ComponentMetadata {
  readonly name?: string;
  /** SHA-256 of the artifact without claims sections, upper-case hex. */
  readonly hash: string;
  readonly tags?: readonly string[];
  readonly caps?: readonly string[];
  readonly rev?: number;
  readonly ver?: string;
  readonly call_alias?: string;
  readonly prov: boolean;
}

/** A JWT claims set as wascap serializes it (times are seconds since the epoch). */
export interface ComponentClaims {
  readonly exp?: number;
  readonly jti: string;
  readonly iat: number;
  readonly iss: PublicKey;
  readonly sub: PublicKey;
  readonly nbf?: number;
  readonly wascap: ComponentMetadata;
  readonly wascap_revision?: number;
}
