import { describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  readTopLevelToken,
  signArtifact,
  stripTokenSections,
  verifyArtifact,
  type ClaimsRequest,
  type ClaimsVerification,
} from '../../claims/index.ts';
import { appendCustomSection } from '../../claims/wasm-sections.ts';
import { buildComponent, buildCoreModule } from '../fixtures/wasm-artifacts.ts';

const NOW = 1_800_000_000;
const DAY = 86_400;
const issuer = generateKeyPair('account');
const subject = generateKeyPair('component');

async function sign(bytes: Uint8Array, claims: Partial<ClaimsRequest> = {}) {
  return signArtifact(bytes, {
    issuer,
    subject,
    issuedAt: NOW,
    claims: { name: 'echo', caps: ['wasi:keyvalue/store'], tags: ['demo'], ver: '0.1.0', rev: 2, ...claims },
  });
}

function errorCode(result: ClaimsVerification): string | undefined {
  return result.ok ? undefined : result.error.code;
}

/** Replaces the JWT's claims segment, keeping the original signature. */
function withForgedClaims(bytes: Uint8Array, token: string, change: (claims: Record<string, any>) => void): Uint8Array {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  change(claims);
  const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
  return appendCustomSection(stripTokenSections(bytes), 'wasmcloud_jwt', new TextEncoder().encode(forged));
}

describe('signing and verification', () => {
  it('round-trips: what is signed verifies, with the claims that were asked for', async () => {
    const signed = await sign(await buildComponent());
    const result = await verifyArtifact(signed.bytes, NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.claims).toEqual(signed.claims);
    expect(result.claims).toMatchObject({
      iss: issuer.publicKey,
      sub: subject.publicKey,
      iat: NOW,
      wascap_revision: 3,
      wascap: { name: 'echo', caps: ['wasi:keyvalue/store'], tags: ['demo'], ver: '0.1.0', rev: 2, prov: false },
    });
    expect(result.claims.jti).toMatch(/^[0-9A-Za-z]{22}$/);
  });

  it('signs core modules too', async () => {
    const signed = await sign(await buildCoreModule());
    expect((await verifyArtifact(signed.bytes, NOW)).ok).toBe(true);
  });

  it('replaces an earlier token when signing again', async () => {
    const first = await sign(await buildComponent(), { name: 'first' });
    const second = await sign(first.bytes, { name: 'second' });
    expect(readTopLevelToken(second.bytes)).toBe(second.token);
    expect(Buffer.from(second.bytes).includes(first.token)).toBe(false);
    const result = await verifyArtifact(second.bytes, NOW);
    expect(result.ok && result.claims.wascap.name).toBe('second');
  });

  it('refuses a component whose code was changed after signing', async () => {
    const signed = await sign(await buildComponent());
    const tampered = signed.bytes.slice();
    // Flip a byte of code inside the nested core module, well before the claims section at the end.
    tampered[40] = tampered[40]! ^ 0x01;
    expect(errorCode(await verifyArtifact(tampered, NOW))).toBe('CLAIMS_HASH_MISMATCH');
  });

  it('refuses claims that were changed after signing', async () => {
    const signed = await sign(await buildComponent(), { caps: ['wasi:keyvalue/store'] });
    const forged = withForgedClaims(signed.bytes, signed.token, (claims) => {
      claims.wascap.caps = ['wasi:http/outgoing'];
    });
    const result = await verifyArtifact(forged, NOW);
    expect(errorCode(result)).toBe('CLAIMS_BAD_SIGNATURE');
    // The forged claims are still shown to whoever inspects them.
    expect(result.claims?.wascap.caps).toEqual(['wasi:http/outgoing']);
  });

  it('refuses claims signed by a key other than the issuer they name', async () => {
    const signed = await sign(await buildComponent());
    const impostor = generateKeyPair('account').publicKey;
    const forged = withForgedClaims(signed.bytes, signed.token, (claims) => {
      claims.iss = impostor;
    });
    expect(errorCode(await verifyArtifact(forged, NOW))).toBe('CLAIMS_BAD_SIGNATURE');
  });

  it('refuses an expired token, and one not yet valid', async () => {
    const expiring = await sign(await buildComponent(), { expiresAt: NOW + DAY });
    expect((await verifyArtifact(expiring.bytes, NOW)).ok).toBe(true);
    expect(errorCode(await verifyArtifact(expiring.bytes, NOW + 2 * DAY))).toBe('CLAIMS_EXPIRED');

    const later = await sign(await buildComponent(), { notBefore: NOW + DAY });
    expect(errorCode(await verifyArtifact(later.bytes, NOW))).toBe('CLAIMS_NOT_YET_VALID');
    expect((await verifyArtifact(later.bytes, NOW + 2 * DAY)).ok).toBe(true);
  });

  it('refuses to sign with an issuer that is not an account key', async () => {
    await expect(
      signArtifact(await buildComponent(), { issuer: generateKeyPair('user'), subject, issuedAt: NOW, claims: { name: 'x' } }),
    ).rejects.toMatchObject({ code: 'CLAIMS_BAD_ISSUER' });
  });

  it('refuses a token whose issuer is not an account key', async () => {
    const signed = await sign(await buildComponent());
    const forged = withForgedClaims(signed.bytes, signed.token, (claims) => {
      claims.iss = generateKeyPair('operator').publicKey;
    });
    const result = await verifyArtifact(forged, NOW);
    expect(errorCode(result)).toBe('CLAIMS_BAD_ISSUER');
    expect(result.ok || result.error.message).toMatch(/account key/);
  });

  it('refuses a token whose subject is not a component key', async () => {
    const signed = await sign(await buildComponent());
    const forged = withForgedClaims(signed.bytes, signed.token, (claims) => {
      claims.sub = generateKeyPair('host').publicKey;
    });
    expect(errorCode(await verifyArtifact(forged, NOW))).toBe('CLAIMS_BAD_SUBJECT');
  });

  it('reports an unsigned artifact as CLAIMS_MISSING', async () => {
    expect(errorCode(await verifyArtifact(await buildComponent(), NOW))).toBe('CLAIMS_MISSING');
  });

  it('reports truncated and garbage wasm as WASM_MALFORMED with a reason', async () => {
    const signed = await sign(await buildComponent());
    const truncated = await verifyArtifact(signed.bytes.subarray(0, signed.bytes.length - 10), NOW);
    expect(errorCode(truncated)).toBe('WASM_MALFORMED');
    expect(truncated.ok || truncated.error.message).toMatch(/truncated/);
    expect(errorCode(await verifyArtifact(new TextEncoder().encode('#!/bin/sh\necho hi\n'), NOW))).toBe('WASM_MALFORMED');
    expect(errorCode(await verifyArtifact(new Uint8Array(0), NOW))).toBe('WASM_MALFORMED');
  });

  it.each([
    ['not a jwt', /3/],
    ['a.b.c', /header/],
    ['eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0.bm90IGpzb24.c2ln', /claims/],
    ['eyJ0eXAiOiJqd3QiLCJhbGciOiJIUzI1NiJ9.e30.c2ln', /Ed25519/],
    ['eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0.eyJqdGkiOiJ4In0.c2ln', /wascap/],
  ])('reports the garbage token %j as CLAIMS_MALFORMED', async (token, reason) => {
    const bytes = appendCustomSection(await buildCoreModule(), 'wasmcloud_jwt', new TextEncoder().encode(token));
    const result = await verifyArtifact(bytes, NOW);
    expect(errorCode(result)).toBe('CLAIMS_MALFORMED');
    expect(result.ok || result.error.message).toMatch(reason);
  });
});

describe('verification order', () => {
  it('reports a changed expired artifact as changed, not merely expired', async () => {
    const signed = await sign(await buildComponent(), { expiresAt: NOW + DAY });
    const tampered = signed.bytes.slice();
    tampered[40] = tampered[40]! ^ 0x01;
    expect(errorCode(await verifyArtifact(tampered, NOW + 2 * DAY))).toBe('CLAIMS_HASH_MISMATCH');
  });
});
