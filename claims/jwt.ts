import { CompactSign, compactVerify, decodeProtectedHeader, errors as joseErrors, importJWK, base64url } from 'jose';
import type { ComponentClaims, ComponentMetadata } from './claims.ts';
import { ClaimsError } from './errors.ts';
import { decodePublicKey, type KeyPair, type PublicKey } from './nkeys.ts';

/** wascap's JOSE header: `typ` before `alg`, as wash writes it. */
const HEADER = { typ: 'jwt', alg: 'Ed25519' } as const;

export async function encodeClaimsToken(claims: ComponentClaims, issuer: KeyPair): Promise<string> {
  const key = await importJWK(okpJwk(issuer.publicKey, issuer.rawSeed()), HEADER.alg);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ ...HEADER })
    .sign(key);
}

/** Reads the claims without checking the signature: for inspection, and to learn who must have signed. */
export function decodeClaimsToken(token: string): ComponentClaims {
  const segments = token.split('.');
  if (segments.length !== 3) {
    throw new ClaimsError('CLAIMS_MALFORMED', `the token has ${segments.length} dot-separated parts; a JWT has 3`);
  }
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new ClaimsError('CLAIMS_MALFORMED', 'the token header is not base64url-encoded JSON');
  }
  if (header.alg !== HEADER.alg) {
    throw new ClaimsError('CLAIMS_MALFORMED', `the token algorithm is ${JSON.stringify(header.alg)}; wascap tokens use "Ed25519"`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(base64url.decode(segments[1]!)));
  } catch {
    throw new ClaimsError('CLAIMS_MALFORMED', 'the token claims are not base64url-encoded JSON');
  }
  return parseComponentClaims(payload);
}

/** True when the token was signed by the key named in its own `iss` claim. */
export async function tokenSignedByIssuer(token: string, issuer: PublicKey): Promise<boolean> {
  const key = await importJWK(okpJwk(issuer), HEADER.alg);
  try {
    await compactVerify(token, key, { algorithms: [HEADER.alg] });
    return true;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return false;
    throw error;
  }
}

function okpJwk(publicKey: PublicKey, rawSeed?: Uint8Array): Record<string, string> {
  const jwk: Record<string, string> = { kty: 'OKP', crv: 'Ed25519', x: base64url.encode(decodePublicKey(publicKey).raw) };
  if (rawSeed) jwk.d = base64url.encode(rawSeed);
  return jwk;
}

function parseComponentClaims(value: unknown): ComponentClaims {
  const claims = asObject(value, 'the claims');
  const wascap = asObject(claims.wascap, '"wascap"');
  const metadata: ComponentMetadata = {
    ...optional('name', wascap.name, isString, 'a string'),
    hash: required('wascap.hash', wascap.hash, isString, 'a string'),
    ...optional('tags', wascap.tags, isStringList, 'a list of strings'),
    ...optional('caps', wascap.caps, isStringList, 'a list of strings'),
    ...optional('rev', wascap.rev, isInteger, 'an integer'),
    ...optional('ver', wascap.ver, isString, 'a string'),
    ...optional('call_alias', wascap.call_alias, isString, 'a string'),
    prov: wascap.prov === undefined ? false : required('wascap.prov', wascap.prov, isBoolean, 'true or false'),
  };
  return {
    ...optional('exp', claims.exp, isSeconds, 'seconds since the epoch'),
    jti: required('jti', claims.jti, isString, 'a string'),
    iat: required('iat', claims.iat, isSeconds, 'seconds since the epoch'),
    iss: required('iss', claims.iss, isString, 'a public key') as PublicKey,
    sub: required('sub', claims.sub, isString, 'a public key') as PublicKey,
    ...optional('nbf', claims.nbf, isSeconds, 'seconds since the epoch'),
    wascap: metadata,
    ...optional('wascap_revision', claims.wascap_revision, isInteger, 'an integer'),
  };
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ClaimsError('CLAIMS_MALFORMED', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function required<T>(field: string, value: unknown, check: (v: unknown) => v is T, expected: string): T {
  if (value === undefined || value === null) throw new ClaimsError('CLAIMS_MALFORMED', `claim "${field}" is missing`);
  if (!check(value)) throw new ClaimsError('CLAIMS_MALFORMED', `claim "${field}" must be ${expected}`);
  return value;
}

// serde skips absent Options; keeping absent fields absent keeps the re-encoded JSON identical.
function optional<K extends string, T>(
  field: K,
  value: unknown,
  check: (v: unknown) => v is T,
  expected: string,
): { [P in K]?: T } {
  if (value === undefined || value === null) return {};
  return { [field]: required(field, value, check, expected) } as { [P in K]?: T };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isInteger = (v: unknown): v is number => Number.isInteger(v);
const isSeconds = (v: unknown): v is number => isInteger(v) && v >= 0;
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
