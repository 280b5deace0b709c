import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_TYPES, keyPairFromSeed } from '../../claims/index.ts';
import { runCli } from './run-cli.ts';

describe('badger keys gen', () => {
  it.each(KEY_TYPES)('generates a %s key whose seed derives its public key', async (type) => {
    const run = await runCli(['keys', 'gen', type, '--json']);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.type).toBe(type);
    expect(keyPairFromSeed(printed.seed).publicKey).toBe(printed.publicKey);
  });

  it('saves the seed with file mode 0600 and does not print it', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'badger-keys-')), 'keys');
    const run = await runCli(['keys', 'gen', 'account', '--out', dir, '--json']);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.seed).toBeUndefined();
    expect(await readdir(dir)).toEqual([`${printed.publicKey}.nk`]);
    expect((await stat(printed.seedPath)).mode & 0o777).toBe(0o600);
    expect(keyPairFromSeed(await readFile(printed.seedPath, 'utf8')).publicKey).toBe(printed.publicKey);
  });

  it('refuses an unknown key type with a code and no stack trace', async () => {
    const run = await runCli(['keys', 'gen', 'wizard']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error\[CLI_BAD_ARGUMENT\]: unknown key type "wizard"/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers --json errors as JSON', async () => {
    const run = await runCli(['keys', 'gen', 'wizard', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, code: 'CLI_BAD_ARGUMENT' });
  });
});
