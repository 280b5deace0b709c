/**
 * Claims of revision 2 are taken in the hash layouts wascap used then, which wascap itself never
 * checks. The attack: change the code of an artifact signed that way (or pass a padded module off as
 * revision 3) and have it start. Every such copy must be CLAIMS_HASH_MISMATCH.
 */
import { describe, expect, it } from 'vitest';
import { computeModuleHash, generateKeyPair, readSections, verifyArtifact, type ComponentClaims } from '../../claims/index.ts';
import { encodeClaimsToken } from '../../claims/jwt.ts';
import { appendCustomSection, type HashLayout } from '../../claims/wasm-sections.ts';
import { buildComponent, buildCoreModule } from '../fixtures/wasm-artifacts.ts';

const NOW = 1_700_000_000;

/** The module with every section's size written as a 5-byte LEB128, as LLVM emits it. */
function withPaddedSizes(module: Uint8Array): Uint8Array {
  const out: number[] = [...module.subarray(0, 8)];
  for (const section of readSections(module, 8, module.length)) {
    let size = section.end - section.start;
    out.push(section.id);
    for (let i = 0; i < 4; i++, size >>>= 7) out.push((size & 0x7f) | 0x80);
    out.push(size & 0x7f);
    out.push(...module.subarray(section.start, section.end));
  }
  return Uint8Array.from(out);
}

/** Signs the way wash did at claims revision `revision`: the hash taken in `layout`, the token in a `jwt` section. */
async function signedTheOldWay(artifact: Uint8Array, layout: HashLayout, revision: number): Promise<Uint8Array> {
  const issuer = generateKeyPair('account');
  const claims: ComponentClaims = {
    jti: 'LegacyRevision2Token0001',
    iat: NOW - 3600,
    iss: issuer.publicKey,
    sub: generateKeyPair('component').publicKey,
    wascap: { name: 'legacy', hash: computeModuleHash(artifact, layout), tags: [], caps: [], prov: false },
    wascap_revision: revision,
  };
  const token = await encodeClaimsToken(claims, issuer);
  return appendCustomSection(artifact, 'jwt', new TextEncoder().encode(token));
}

/** The same artifact with one byte of its last non-custom section changed: other code. */
function tampered(artifact: Uint8Array): Uint8Array {
  const code = [...readSections(artifact, 8, artifact.length)].filter((section) => section.id !== 0).pop()!;
  const copy = Uint8Array.from(artifact);
  copy[code.end - 2] = copy[code.end - 2]! ^ 0x01;
  return copy;
}

describe('claims of revision 2, hashed the ways wascap hashed them then', () => {
  it('verifies a module whose section sizes are padded and were hashed as written, and catches a tampered copy', async () => {
    const padded = withPaddedSizes(await buildCoreModule());
    // The point of the test: the old hash is not today's.
    expect(computeModuleHash(padded, 'sizes-as-written')).not.toBe(computeModuleHash(padded));
    const signed = await signedTheOldWay(padded, 'sizes-as-written', 2);
    expect(await verifyArtifact(signed, NOW)).toMatchObject({ ok: true, claims: { wascap_revision: 2 } });

    const changed = await verifyArtifact(tampered(signed), NOW);
    expect(changed.ok).toBe(false);
    expect(changed).toMatchObject({ error: { code: 'CLAIMS_HASH_MISMATCH' } });
    expect(changed.ok || changed.error.message).toMatch(/revision 2.*tried the canonical re-encoding, section sizes as written, the 0x0c component header/);
  });

  it('verifies a component hashed with the 0x0c component header, and catches a tampered copy', async () => {
    const component = await buildComponent();
    expect(computeModuleHash(component, 'draft-component-header')).not.toBe(computeModuleHash(component));
    const signed = await signedTheOldWay(component, 'draft-component-header', 2);
    expect(await verifyArtifact(signed, NOW)).toMatchObject({ ok: true });
    expect(await verifyArtifact(tampered(signed), NOW)).toMatchObject({ ok: false, error: { code: 'CLAIMS_HASH_MISMATCH' } });
  });

  it('takes those layouts only below revision 3: a revision-3 token must match the canonical hash', async () => {
    const padded = withPaddedSizes(await buildCoreModule());
    const signed = await signedTheOldWay(padded, 'sizes-as-written', 3);
    const verified = await verifyArtifact(signed, NOW);
    expect(verified).toMatchObject({ ok: false, error: { code: 'CLAIMS_HASH_MISMATCH', message: expect.stringMatching(/^the code changed after signing: it hashes to [0-9A-F]{64}, the claims say/) } });
  });

  it('keeps canonical hashes working at revision 2, and layouts equal when nothing is padded', async () => {
    const module = await buildCoreModule();
    expect(computeModuleHash(module, 'sizes-as-written')).toBe(computeModuleHash(module));
    expect(await verifyArtifact(await signedTheOldWay(module, 'canonical', 2), NOW)).toMatchObject({ ok: true });
  });
});
