import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, signArtifact } from '../../claims/index.ts';
import { appendCustomSection } from '../../claims/wasm-sections.ts';
import { buildComponent } from '../fixtures/wasm-artifacts.ts';
import { runCli } from './run-cli.ts';

// A token wash signed for wasmCloud's Echo actor (published in the wascap crate's tests).
const WASH_ECHO_TOKEN =
  'eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0.eyJqdGkiOiJTakI1Zm05NzRTanU5V01nVFVjaHNiIiwiaWF0IjoxNjQ0ODQzNzQzLCJpc3MiOiJBQ09KSk42V1VQNE9ERDc1WEVCS0tUQ0NVSkpDWTVaS1E1NlhWS1lLNEJFSldHVkFPT1FIWk1DVyIsInN1YiI6Ik1CQ0ZPUE02SlcyQVBKTFhKRDNaNU80Q043Q1BZSjJCNEZUS0xKVVI1WVI1TUlUSVU3SEQzV0Q1Iiwid2FzY2FwIjp7Im5hbWUiOiJFY2hvIiwiaGFzaCI6IjRDRUM2NzNBN0RDQ0VBNkE0MTY1QkIxOTU4MzJDNzkzNjQ3MUNGN0FCNDUwMUY4MzdGOEQ2NzlGNDQwMEJDOTciLCJ0YWdzIjpbXSwiY2FwcyI6WyJ3YXNtY2xvdWQ6aHR0cHNlcnZlciJdLCJyZXYiOjQsInZlciI6IjAuMy40IiwicHJvdiI6ZmFsc2V9fQ.ZWyD6VQqzaYM1beD2x9Fdw4o_Bavy3ZG703Eg4cjhyJwUKLDUiVPVhqHFE6IXdV4cW6j93YbMT6VGq5iBDWmAg';

let work: string;
let home: string;
let unsigned: string;
const issuer = generateKeyPair('account');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-claims-cli-'));
  home = join(work, 'home');
  unsigned = join(work, 'echo.wasm');
  await writeFile(unsigned, await buildComponent());
});

const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });

async function signedFile(name: string, extra: string[] = []): Promise<string> {
  const out = join(work, `${name}_signed.wasm`);
  const run = await cli('claims', 'sign', unsigned, '-o', out, '--issuer', issuer.seed, '--name', name, '--cap', 'wasi:keyvalue/store', ...extra);
  expect(run.stderr).not.toMatch(/error/);
  expect(run.code).toBe(0);
  return out;
}

describe('badger claims', () => {
  it('signs, then inspects the same claims back', async () => {
    const out = await signedFile('echo', ['--cap', 'wasi:http/incoming-handler', '--tag', 'demo', '--ver', '1.2.3', '--rev', '7', '--expires-in', '30d']);
    const run = await cli('claims', 'inspect', out, '--json');
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view).toMatchObject({
      name: 'echo',
      account: issuer.publicKey,
      version: '1.2.3',
      revision: 7,
      tags: ['demo'],
      canBeUsed: 'immediately',
      verified: { ok: true },
    });
    expect(view.capabilities.map((cap: { interface: string }) => cap.interface)).toEqual(['wasi:keyvalue/store', 'wasi:http/incoming-handler']);
    expect(view.component).toMatch(/^M/);
    // --expires-in 30d: exactly thirty days after issue (the human "in N days" depends on when this runs).
    expect(Date.parse(view.expires) - Date.parse(view.issued)).toBe(30 * 86_400_000);
    expect(view.expiresHuman).toMatch(/^in (29|30) days$/);
    const table = await cli('claims', 'inspect', out);
    expect(table.stdout).toMatch(/Account\s+A[A-Z2-7]{55}/);
    expect(table.stdout).toMatch(/Verified: yes/);
  });

  it('makes a component key on first use, saves it 0600 and reuses it when re-signing', async () => {
    const first = await cli('claims', 'sign', unsigned, '-o', join(work, 'keyed.wasm'), '--issuer', issuer.seed, '--name', 'Keyed Actor', '--json');
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/Generated a new key and saved its seed to .*keyed_actor_component\.nk/);
    const [keyPath] = JSON.parse(first.stdout).generatedKeys;
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    const second = await cli('claims', 'sign', join(work, 'keyed.wasm'), '-o', join(work, 'keyed2.wasm'), '--issuer', issuer.seed, '--name', 'Keyed Actor', '--json');
    expect(JSON.parse(second.stdout).generatedKeys).toEqual([]);
    expect(JSON.parse(second.stdout).claims.sub).toBe(JSON.parse(first.stdout).claims.sub);
  });

  it('uses a local issuer key under BADGER_HOME when none is given', async () => {
    const run = await cli('claims', 'sign', unsigned, '-o', join(work, 'local.wasm'), '--name', 'local', '--json');
    expect(run.code).toBe(0);
    expect(await readdir(join(home, 'keys'))).toContain('issuer_account.nk');
  });

  it('verifies: exit 0 when valid, exit 1 with the code when a byte was changed', async () => {
    const out = await signedFile('verify-me');
    expect((await cli('claims', 'verify', out)).code).toBe(0);
    const bytes = await readFile(out);
    bytes[40] = bytes[40]! ^ 0x01;
    const tampered = join(work, 'tampered.wasm');
    await writeFile(tampered, bytes);
    const run = await cli('claims', 'verify', tampered, '--json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, code: 'CLAIMS_HASH_MISMATCH' });
    const human = await cli('claims', 'verify', tampered);
    expect(human.stdout).toMatch(/error\[CLAIMS_HASH_MISMATCH\]: the code changed after signing/);
  });

  it('reports expired and not-yet-valid claims by code', async () => {
    const past = await signArtifact(await buildComponent(), {
      issuer, subject: generateKeyPair('component'), issuedAt: 1_600_000_000, claims: { name: 'old', expiresAt: 1_600_000_100 },
    });
    const expired = join(work, 'expired.wasm');
    await writeFile(expired, past.bytes);
    expect(JSON.parse((await cli('claims', 'verify', expired, '--json')).stdout).code).toBe('CLAIMS_EXPIRED');
    const later = await signedFile('later', ['--not-before', '2d']);
    expect(JSON.parse((await cli('claims', 'verify', later, '--json')).stdout).code).toBe('CLAIMS_NOT_YET_VALID');
  });

  it('evaluates a policy file: allowed, then denied by issuer and by capability', async () => {
    const out = await signedFile('policed');
    const allow = join(work, 'allow.yaml');
    await writeFile(allow, `issuers:\n  - key: ${issuer.publicKey}\n    capabilities: ["wasi:keyvalue/*"]\n`);
    expect((await cli('claims', 'verify', out, '--policy', allow)).code).toBe(0);

    const narrow = join(work, 'narrow.yaml');
    await writeFile(narrow, `issuers:\n  - key: ${issuer.publicKey}\n    capabilities: [wasi:logging/logging]\n`);
    expect(JSON.parse((await cli('claims', 'verify', out, '--policy', narrow, '--json')).stdout)).toMatchObject({
      ok: false, code: 'POLICY_CAPABILITY_DENIED', reason: expect.stringContaining('wasi:keyvalue/store'),
    });

    const stranger = join(work, 'stranger.json');
    await writeFile(stranger, JSON.stringify({ issuers: [{ key: generateKeyPair('account').publicKey }] }));
    expect(JSON.parse((await cli('claims', 'verify', out, '--policy', stranger, '--json')).stdout).code).toBe('POLICY_ISSUER_DENIED');

    const broken = join(work, 'broken.yaml');
    await writeFile(broken, 'issuers:\n  - kee: x\n');
    const run = await cli('claims', 'verify', out, '--policy', broken);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error\[POLICY_MALFORMED\]: .*broken\.yaml: issuers\[0\]\.kee: unknown field/);
  });

  it('gives clear errors for garbage wasm, a truncated file, a garbage JWT and a missing file: never a stack', async () => {
    const garbage = join(work, 'garbage.wasm');
    await writeFile(garbage, 'this is not wasm at all');
    const signed = await readFile(await signedFile('truncate-me'));
    const truncated = join(work, 'truncated.wasm');
    await writeFile(truncated, signed.subarray(0, signed.length - 25));
    const badJwt = join(work, 'bad-jwt.wasm');
    await writeFile(badJwt, appendCustomSection(await buildComponent(), 'wasmcloud_jwt', new TextEncoder().encode('not.a-jwt')));

    const cases: [string, string, RegExp][] = [
      [garbage, 'WASM_MALFORMED', /not a WebAssembly file/],
      [truncated, 'WASM_MALFORMED', /truncated/],
      [badJwt, 'CLAIMS_MALFORMED', /dot-separated parts/],
      [join(work, 'nope.wasm'), 'CLI_FILE_UNREADABLE', /no such file/],
      [unsigned, 'CLAIMS_MISSING', /unsigned/],
    ];
    for (const [file, code, reason] of cases) {
      const inspect = await cli('claims', 'inspect', file);
      expect(inspect.code, file).toBe(1);
      expect(inspect.stderr).toMatch(new RegExp(`error\\[${code}\\]`));
      expect(inspect.stderr).toMatch(reason);
      expect(inspect.stderr).not.toMatch(/\n\s+at /);
      const verify = JSON.parse((await cli('claims', 'verify', file, '--json')).stdout);
      expect(verify).toMatchObject({ ok: false, code });
    }
  });

  it('inspects a component carrying claims signed by wash, showing the fields wash shows', async () => {
    const file = join(work, 'wash-echo.wasm');
    await writeFile(file, appendCustomSection(await buildComponent(), 'wasmcloud_jwt', new TextEncoder().encode(WASH_ECHO_TOKEN)));
    const run = await cli('claims', 'inspect', file);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Echo - Component/);
    expect(run.stdout).toMatch(/Account\s+ACOJJN6WUP4ODD75XEBKKTCCUJJCY5ZKQ56XVKYK4BEJWGVAOOQHZMCW/);
    expect(run.stdout).toMatch(/Component\s+MBCFOPM6JW2APJLXJD3Z5O4CN7CPYJ2B4FTKLJUR5YR5MITIU7HD3WD5/);
    expect(run.stdout).toMatch(/Expires\s+never/);
    expect(run.stdout).toMatch(/Can Be Used\s+immediately/);
    expect(run.stdout).toMatch(/Version\s+0\.3\.4 \(4\)/);
    expect(run.stdout).toMatch(/Call Alias\s+\(not set\)/);
    expect(run.stdout).toMatch(/wasi:http\/incoming-handler \(HTTP server\)/);
    // The signature is wash's and verifies; only the code around it is ours, so the hash cannot match.
    expect(run.stdout).toMatch(/Verified: NO - CLAIMS_HASH_MISMATCH/);
  });
});
