import { describe, expect, it } from 'vitest';
import { computeModuleHash, generateKeyPair, RecentModuleHashes, signArtifact } from '../../claims/index.ts';
import { buildComponent } from '../fixtures/wasm-artifacts.ts';

const issuer = generateKeyPair('account');
/** The same bytes with one letter of an export name changed: still well-formed, the same length, other code. */
function withOneByteChanged(bytes: Uint8Array): Uint8Array {
  const at = Buffer.from(bytes).indexOf('add');
  if (at < 0) throw new Error('the fixture exports no "add"');
  const changed = bytes.slice();
  changed[at + 2] = 'c'.charCodeAt(0);
  return changed;
}

const signed = async (bytes: Uint8Array) =>
  (await signArtifact(bytes, { issuer, subject: generateKeyPair('component'), issuedAt: 1_800_000_000, claims: { name: 'memo', caps: [], tags: [] } })).bytes;

describe('RecentModuleHashes', () => {
  it('gives the canonical hash, and answers the same code under another signature from the copy it holds', async () => {
    const component = await buildComponent();
    const [first, second] = [await signed(component), await signed(component)];
    expect(second).not.toEqual(first);
    const recent = new RecentModuleHashes();
    expect(recent.canonicalHash(first)).toBe(computeModuleHash(first));
    expect(recent.canonicalHash(second)).toBe(computeModuleHash(second));
    expect(recent.held.codes).toBe(1);
  });

  it('hashes code of the same length that differs by one byte, and keeps both', async () => {
    const original = await signed(await buildComponent());
    const changed = withOneByteChanged(original);
    const recent = new RecentModuleHashes();
    const hash = recent.canonicalHash(original);
    expect(recent.canonicalHash(changed)).toBe(computeModuleHash(changed));
    expect(recent.canonicalHash(changed)).not.toBe(hash);
    expect(recent.held.codes).toBe(2);
  });

  it('holds a copy: changing the bytes it was given afterwards changes nothing it answers', async () => {
    const bytes = await signed(await buildComponent());
    const recent = new RecentModuleHashes();
    const hash = recent.canonicalHash(bytes);
    bytes.set(withOneByteChanged(bytes));
    expect(recent.canonicalHash(bytes)).toBe(computeModuleHash(bytes));
    expect(recent.canonicalHash(bytes)).not.toBe(hash);
  });

  it('holds at most its byte budget, dropping the least recently used code first', async () => {
    const component = await signed(await buildComponent());
    const other = withOneByteChanged(component);
    const probe = new RecentModuleHashes();
    probe.canonicalHash(component);
    const budget = probe.held.bytes;
    const recent = new RecentModuleHashes(budget);
    recent.canonicalHash(component);
    recent.canonicalHash(other);
    expect(recent.held.codes).toBe(1);
    expect(recent.held.bytes).toBeLessThanOrEqual(budget);
    expect(recent.canonicalHash(component)).toBe(computeModuleHash(component));
    expect(new RecentModuleHashes(4).canonicalHash(component)).toBe(computeModuleHash(component));
    expect(new RecentModuleHashes(4).held.codes).toBe(0);
  });
});
