import { WASCAP_REVISION, type ComponentClaims } from './claims.ts';
import { ClaimsError } from './errors.ts';
import { decodeClaimsToken, tokenSignedByIssuer } from './jwt.ts';
import { computeModuleHash, type RecentModuleHashes } from './module-hash.ts';
import { publicKeyType } from './nkeys.ts';
import { HASH_LAYOUTS, readTopLevelToken, type HashLayout } from './wasm-sections.ts';

/**
 * The outcome of verification. A failure still carries whatever could be read, so that
 * `badger claims inspect` can show claims that no longer verify and say why.
 */
export type ClaimsVerification =
  | { readonly ok: true; readonly token: string; readonly claims: ComponentClaims; readonly hash: string }
  | {
      readonly ok: false;
      readonly error: ClaimsError;
      readonly token?: string;
      readonly claims?: ComponentClaims;
      readonly hash?: string;
    };

/**
 * Verifies the claims embedded in an artifact at the instant `nowSeconds`. Never throws for bad
 * input. With `recent`, code it already hashed is compared rather than hashed again.
 */
export async function verifyArtifact(bytes: Uint8Array, nowSeconds: number, recent?: RecentModuleHashes): Promise<ClaimsVerification> {
  let token: string | undefined;
  let hash: string;
  try {
    token = readTopLevelToken(bytes);
    hash = recent ? recent.canonicalHash(bytes) : computeModuleHash(bytes);
  } catch (error) {
    return { ok: false, error: asClaimsError(error) };
  }
  if (token === undefined) {
    return { ok: false, hash, error: new ClaimsError('CLAIMS_MISSING', 'the artifact carries no wasmcloud_jwt or jwt section: it is unsigned') };
  }
  const integrity = await checkIntegrity(token);
  if (!integrity.ok) return { ...integrity, hash };
  const { claims } = integrity;
  const mismatch = hashMismatch(bytes, claims, hash);
  if (mismatch) return { ok: false, token, claims, hash, error: mismatch };
  // Time comes last: an expired result always means "authentic, but out of date", which a policy may accept.
  const window = checkValidityWindow(claims, nowSeconds);
  return window ? { ok: false, token, claims, hash, error: window } : { ok: true, token, claims, hash };
}

/**
 * Whether the code is the code that was signed. wascap checks the hash only from revision 3 on; we
 * check every revision. Below 3, the hash may have been taken in a layout wascap used then (section
 * sizes as written, the draft component header): each of those is tried, and one must match.
 */
function hashMismatch(bytes: Uint8Array, claims: ComponentClaims, canonical: string): ClaimsError | undefined {
  const signed = claims.wascap.hash;
  if (signed === canonical) return undefined;
  const revision = claims.wascap_revision;
  if (revision !== undefined && revision >= WASCAP_REVISION) {
    return new ClaimsError('CLAIMS_HASH_MISMATCH', `the code changed after signing: it hashes to ${canonical}, the claims say ${signed}`);
  }
  const legacy = (Object.keys(HASH_LAYOUTS) as HashLayout[]).filter((layout) => layout !== 'canonical');
  if (legacy.some((layout) => computeModuleHash(bytes, layout) === signed)) return undefined;
  const tried = ['canonical' as const, ...legacy].map((layout) => HASH_LAYOUTS[layout]).join(', ');
  return new ClaimsError(
    'CLAIMS_HASH_MISMATCH',
    `the code changed after signing: the claims (revision ${revision ?? 'unnamed'}) say ${signed}, and no way of hashing that revision gives it (tried ${tried}; canonically it hashes to ${canonical})`,
  );
}

/** Everything but the module hash: format, key types, signature and validity window. */
export async function verifyToken(token: string, nowSeconds: number): Promise<ClaimsVerification> {
  const integrity = await checkIntegrity(token);
  if (!integrity.ok) return integrity;
  const window = checkValidityWindow(integrity.claims, nowSeconds);
  return window ? { ok: false, token, claims: integrity.claims, error: window } : integrity;
}

async function checkIntegrity(token: string): Promise<ClaimsVerification> {
  let claims: ComponentClaims;
  try {
    claims = decodeClaimsToken(token);
  } catch (error) {
    return { ok: false, token, error: asClaimsError(error) };
  }
  const fail = (error: ClaimsError): ClaimsVerification => ({ ok: false, token, claims, error });

  const issuerType = publicKeyType(claims.iss);
  if (issuerType !== 'account') {
    return fail(new ClaimsError('CLAIMS_BAD_ISSUER', `the issuer ${claims.iss} is ${issuerType ? `a ${issuerType} key` : 'not a public key'}; it must be an account key (A…)`));
  }
  const subjectType = publicKeyType(claims.sub);
  const expectedSubject = claims.wascap.prov ? 'provider' : 'component';
  if (subjectType !== expectedSubject) {
    return fail(new ClaimsError('CLAIMS_BAD_SUBJECT', `the subject ${claims.sub} is ${subjectType ? `a ${subjectType} key` : 'not a public key'}; it must be a ${expectedSubject} key`));
  }
  if (!(await tokenSignedByIssuer(token, claims.iss))) {
    return fail(new ClaimsError('CLAIMS_BAD_SIGNATURE', `the signature does not match the claims and the issuer ${claims.iss}: the token was altered or signed by another key`));
  }
  return { ok: true, token, claims, hash: claims.wascap.hash };
}

function checkValidityWindow(claims: ComponentClaims, nowSeconds: number): ClaimsError | undefined {
  if (claims.exp !== undefined && nowSeconds >= claims.exp) {
    return new ClaimsError('CLAIMS_EXPIRED', `the claims expired at ${isoTime(claims.exp)}`);
  }
  if (claims.nbf !== undefined && nowSeconds < claims.nbf) {
    return new ClaimsError('CLAIMS_NOT_YET_VALID', `the claims are not valid before ${isoTime(claims.nbf)}`);
  }
  return undefined;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function asClaimsError(error: unknown): ClaimsError {
  if (error instanceof ClaimsError) return error;
  throw error;
}
