import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, signArtifact, verifyArtifact, type ClaimsVerification } from '../../claims/index.ts';
import { defaultPolicy, evaluatePolicy, loadPolicyFile, parsePolicy, type Policy } from '../../host/index.ts';
import { buildCoreModule } from '../fixtures/wasm-artifacts.ts';

const NOW = 1_800_000_000;
const trusted = generateKeyPair('account');
const stranger = generateKeyPair('account');
const component = generateKeyPair('component');

async function verified(options: { issuer?: typeof trusted; caps?: string[]; expiresAt?: number } = {}): Promise<ClaimsVerification> {
  const signed = await signArtifact(await buildCoreModule(), {
    issuer: options.issuer ?? trusted,
    subject: component,
    issuedAt: NOW - 10,
    claims: { name: 'echo', caps: options.caps ?? ['wasi:keyvalue/store'], ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}) },
  });
  return verifyArtifact(signed.bytes, NOW);
}

function codes(decision: ReturnType<typeof evaluatePolicy>): string[] {
  return decision.allowed ? [] : decision.denials.map((denial) => denial.code);
}

describe('policy', () => {
  it('allows a trusted issuer and returns the claimed capabilities', async () => {
    const decision = evaluatePolicy(await verified(), defaultPolicy([trusted.publicKey]));
    expect(decision).toEqual({ allowed: true, capabilities: ['wasi:keyvalue/store'], unsigned: false });
  });

  it('denies an issuer it was not told to trust', async () => {
    const decision = evaluatePolicy(await verified({ issuer: stranger }), defaultPolicy([trusted.publicKey]));
    expect(codes(decision)).toEqual(['POLICY_ISSUER_DENIED']);
  });

  it('allows and denies by capability per issuer, naming each denied interface', async () => {
    const policy: Policy = { ...defaultPolicy([]), issuers: [{ key: trusted.publicKey, capabilities: ['wasi:keyvalue/*', 'wasi:logging/logging'] }] };
    expect(evaluatePolicy(await verified({ caps: ['wasi:keyvalue/store', 'wasi:keyvalue/atomics'] }), policy).allowed).toBe(true);
    const decision = evaluatePolicy(await verified({ caps: ['wasi:keyvalue/store', 'wasi:http/outgoing-handler', 'wasi:filesystem/types'] }), policy);
    expect(codes(decision)).toEqual(['POLICY_CAPABILITY_DENIED', 'POLICY_CAPABILITY_DENIED']);
    expect(decision.allowed || decision.denials.map((d) => d.reason).join(' ')).toMatch(/wasi:http\/outgoing-handler.*wasi:filesystem\/types/);
  });

  it('narrows capabilities per component, and can deny one component outright', async () => {
    const base = defaultPolicy([trusted.publicKey]);
    const narrowed: Policy = { ...base, components: [{ key: component.publicKey, capabilities: ['wasi:logging/logging'] }] };
    expect(codes(evaluatePolicy(await verified(), narrowed))).toEqual(['POLICY_CAPABILITY_DENIED']);
    const denied: Policy = { ...base, components: [{ key: component.publicKey, deny: true }] };
    expect(codes(evaluatePolicy(await verified(), denied))).toEqual(['POLICY_COMPONENT_DENIED']);
  });

  it('maps legacy contract ids in claims to WIT interfaces before deciding', async () => {
    const policy: Policy = { ...defaultPolicy([]), issuers: [{ key: trusted.publicKey, capabilities: ['wasi:keyvalue/store'] }] };
    const decision = evaluatePolicy(await verified({ caps: ['wasmcloud:keyvalue'] }), policy);
    expect(decision).toMatchObject({ allowed: true, capabilities: ['wasi:keyvalue/store'] });
  });

  it('denies unsigned and expired components unless the policy says otherwise', async () => {
    const unsigned = await verifyArtifact(await buildCoreModule(), NOW);
    const expired = await verified({ expiresAt: NOW - 1 });
    const strict = defaultPolicy([trusted.publicKey]);
    expect(codes(evaluatePolicy(unsigned, strict))).toEqual(['POLICY_UNSIGNED_DENIED']);
    expect(codes(evaluatePolicy(expired, strict))).toEqual(['CLAIMS_EXPIRED']);
    const lenient: Policy = { ...strict, allowUnsigned: true, allowExpired: true };
    expect(evaluatePolicy(unsigned, lenient)).toEqual({ allowed: true, capabilities: [], unsigned: true });
    expect(evaluatePolicy(expired, lenient).allowed).toBe(true);
  });

  it('never waives a changed artifact, whatever the policy', async () => {
    const signed = await signArtifact(await buildCoreModule(), {
      issuer: trusted, subject: component, issuedAt: NOW - 10, claims: { name: 'echo', expiresAt: NOW - 1 },
    });
    const tampered = signed.bytes.slice();
    tampered[30] = tampered[30]! ^ 0x01;
    const lenient: Policy = { ...defaultPolicy([trusted.publicKey]), allowUnsigned: true, allowExpired: true };
    expect(codes(evaluatePolicy(await verifyArtifact(tampered, NOW), lenient))).toEqual(['CLAIMS_HASH_MISMATCH']);
  });
});

describe('policy files', () => {
  async function writePolicy(name: string, text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'badger-policy-'));
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it('loads YAML and JSON to the same policy', async () => {
    const yamlPath = await writePolicy('policy.yaml', `allowUnsigned: false
issuers:
  - key: ${trusted.publicKey}
    name: platform team
    capabilities: [wasi:keyvalue/store, "wasi:http/*"]
components:
  - key: ${component.publicKey}
    deny: true
`);
    const jsonPath = await writePolicy('policy.json', JSON.stringify({
      allowUnsigned: false,
      issuers: [{ key: trusted.publicKey, name: 'platform team', capabilities: ['wasi:keyvalue/store', 'wasi:http/*'] }],
      components: [{ key: component.publicKey, deny: true }],
    }));
    const fromYaml = await loadPolicyFile(yamlPath);
    expect(fromYaml).toEqual(await loadPolicyFile(jsonPath));
    expect(fromYaml.issuers[0]).toEqual({ key: trusted.publicKey, name: 'platform team', capabilities: ['wasi:keyvalue/store', 'wasi:http/*'] });
  });

  it.each([
    [{ allowUnsinged: true }, /allowUnsinged: unknown field/],
    [{ allowUnsigned: 'yes' }, /allowUnsigned: must be true or false/],
    [{ issuers: { key: 'A' } }, /issuers: must be a list/],
    [{ issuers: [{ key: 'ABC' }] }, /issuers\[0\]\.key: "ABC" is not a public nkey/],
    [{ issuers: [{ key: component.publicKey }] }, /issuers\[0\]\.key: .* is a component key; expected an account key/],
    [{ issuers: [{ key: trusted.publicKey, capabilities: 'wasi:keyvalue/store' }] }, /issuers\[0\]\.capabilities: must be a list/],
    [{ issuers: [{ key: trusted.publicKey, caps: [] }] }, /issuers\[0\]\.caps: unknown field/],
    [{ components: [{ key: trusted.publicKey }] }, /components\[0\]\.key: .* is a account key/],
    [{ components: [{ key: component.publicKey, deny: 'no' }] }, /components\[0\]\.deny: must be true or false/],
  ])('names the malformed field in %j', (document, message) => {
    expect(() => parsePolicy(document, 'policy.yaml')).toThrowError(message);
    try {
      parsePolicy(document, 'policy.yaml');
    } catch (error) {
      expect((error as { code: string }).code).toBe('POLICY_MALFORMED');
    }
  });

  it('reports a YAML syntax error with its line, and a missing file by name', async () => {
    const bad = await writePolicy('bad.yaml', 'issuers:\n  - key: [unclosed\n');
    await expect(loadPolicyFile(bad)).rejects.toMatchObject({ code: 'POLICY_MALFORMED', message: expect.stringMatching(/line/) });
    await expect(loadPolicyFile('/nonexistent/policy.yaml')).rejects.toMatchObject({ code: 'POLICY_UNREADABLE' });
  });
});
