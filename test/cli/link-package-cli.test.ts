import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { runCli } from './run-cli.ts';

let home: string;
const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'badger-link-package-'));
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('counter')))!).iss;
  expect((await cli('up', '--detached', '--trust', issuer)).code).toBe(0);
  expect((await cli('start', 'actor', builtActor('counter'))).code).toBe(0);
  expect((await cli('start', 'provider', 'keyvalue', '--id', 'kv')).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await cli('down');
});

describe('badger link put with a package', () => {
  it('links each interface of the package that the actor imports, as wasmCloud links a package', async () => {
    // Several settings after one --config, as in wash's examples, or --config again.
    const put = await cli('link', 'put', 'counter', 'kv', 'wasi:keyvalue@0.2.0-draft', '--config', 'backend=memory', 'bucket=visits', '--config', 'max-key-bytes=256', '--json');
    expect(put.stderr).toBe('');
    const links = JSON.parse(put.stdout) as { interface: string; target: string; config: Record<string, string> }[];
    expect(links.map((link) => link.interface).sort()).toEqual(['wasi:keyvalue/atomics', 'wasi:keyvalue/batch', 'wasi:keyvalue/store']);
    expect(links.every((link) => link.target === 'kv')).toBe(true);
    for (const link of links) expect(link.config).toEqual({ backend: 'memory', bucket: 'visits', 'max-key-bytes': '256' });
    const called = await cli('call', 'counter', 'wasi:http/incoming-handler.handle', '{"path": "/p"}');
    expect(called.stdout).toMatch(/"count":1/);
  });

  it('names what the actor does import when it imports nothing of the package', async () => {
    const refused = await cli('link', 'put', 'counter', 'kv', 'wasi:blobstore');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^error\[CLI_BAD_ARGUMENT\]: counter imports nothing of wasi:blobstore; it imports .*wasi:keyvalue\/store/m);
  });
});
