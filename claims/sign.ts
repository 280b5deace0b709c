import { randomBytes } from 'node:crypto';
import { WASCAP_REVISION, type ComponentClaims, type ComponentMetadata } from './claims.ts';
import { ClaimsError } from './errors.ts';
import { encodeClaimsToken } from './jwt.ts';
import { hashStripped } from './module-hash.ts';
import type { KeyPair } from './nkeys.ts';
import { appendCustomSection, stripTokenSections, TOKEN_SECTION } from './wasm-sections.ts';

export interface ClaimsRequest {
  readonly name: string;
  readonly caps?: readonly string[];
  readonly tags?: readonly string[];
  readonly rev?: number;
  readonly ver?: string;
  readonly callAlias?: string;
  readonly provider?: boolean;
  /** Seconds since the epoch. */
  readonly expiresAt?: number;
  readonly notBefore?: number;
}

export interface SignRequest {
  readonly issuer: KeyPair;
  readonly subject: KeyPair;
  readonly claims: ClaimsRequest;
  /** Seconds since the epoch: the caller owns the clock. */
  readonly issuedAt: number;
}

export interface SignedArtifact {
  readonly bytes: Uint8Array;
  readonly token: string;
  readonly claims: ComponentClaims;
}

/** Signs an artifact, replacing any token it already carries, as `wash claims sign` does. */
export async function signArtifact(bytes: Uint8Array, request: SignRequest): Promise<SignedArtifact> {
  const { issuer, subject, claims: wanted } = request;
  if (issuer.type !== 'account') {
    throw new ClaimsError('CLAIMS_BAD_ISSUER', `the issuer must be an account key (A…); got a ${issuer.type} key`);
  }
  const subjectType = wanted.provider ? 'provider' : 'component';
  if (subject.type !== subjectType) {
    throw new ClaimsError('CLAIMS_BAD_SUBJECT', `the subject must be a ${subjectType} key; got a ${subject.type} key`);
  }
  const stripped = stripTokenSections(bytes);
  const metadata: ComponentMetadata = {
    name: wanted.name,
    hash: hashStripped(stripped),
    tags: [...(wanted.tags ?? [])],
    caps: [...(wanted.caps ?? [])],
    ...(wanted.rev === undefined ? {} : { rev: wanted.rev }),
    ...(wanted.ver === undefined ? {} : { ver: wanted.ver }),
    ...(wanted.callAlias === undefined ? {} : { call_alias: wanted.callAlias }),
    prov: wanted.provider ?? false,
  };
  const claims: ComponentClaims = {
    ...(wanted.expiresAt === undefined ? {} : { exp: wanted.expiresAt }),
    jti: newTokenId(),
    iat: request.issuedAt,
    iss: issuer.publicKey,
    sub: subject.publicKey,
    ...(wanted.notBefore === undefined ? {} : { nbf: wanted.notBefore }),
    wascap: metadata,
    wascap_revision: WASCAP_REVISION,
  };
  const token = await encodeClaimsToken(claims, issuer);
  return { bytes: appendCustomSection(stripped, TOKEN_SECTION, new TextEncoder().encode(token)), token, claims };
}

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 22-character base62 id, the shape of the nuid that wascap puts in `jti`. */
function newTokenId(): string {
  return Array.from(randomBytes(22), (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
}
