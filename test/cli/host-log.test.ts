/**
 * The host's log is bounded: a detached host writes host.log itself and rotates it by size,
 * keeping three older files, while its requests go on being logged.
 */
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { KEPT_LOG_FILES } from '../../cli/log-lines.ts';
import { builtActor } from '../actors/built-actors.ts';
import { freePort } from '../fixtures/nats-server.ts';
import { runCli } from './run-cli.ts';

const MAX_SIZE_BYTES = 2048;
const REQUESTS = 120;
let home: string;
const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });

beforeAll(async () => {
  home = join(await mkdtemp(join(tmpdir(), 'badger-host-log-')), '.badger');
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('hello-wat')))!).iss;
  const up = await cli('up', '--detached', '--trust', issuer, '--log-max-size', '2K');
  expect(up.code, up.stderr).toBe(0);
});

afterAll(async () => {
  await cli('down');
});

describe('host.log', () => {
  it('rotates at --log-max-size, keeping three older files, and the newest lines are in host.log', async () => {
    const port = await freePort();
    expect((await cli('start', 'actor', builtActor('hello-wat'))).code).toBe(0);
    expect((await cli('start', 'provider', 'http-server', '--id', 'web')).code).toBe(0);
    expect((await cli('link', 'put', 'hello-wat', 'web', 'wasi:http/incoming-handler', '--config', `address=127.0.0.1:${port}`)).code).toBe(0);
    for (let request = 0; request < REQUESTS; request++) expect((await fetch(`http://127.0.0.1:${port}/request-${request}`)).status).toBe(200);

    // Access lines are written in batches: wait for the last one (bounded).
    const last = `/request-${REQUESTS - 1}"`;
    let current = '';
    for (let attempt = 0; attempt < 50 && !current.includes(last); attempt++) {
      // Between rotating and opening the next file, host.log is briefly absent.
      current = await readFile(join(home, 'host.log'), 'utf8').catch(() => '');
      if (!current.includes(last)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(current).toContain(last);

    const logs = (await readdir(home)).filter((file) => file.startsWith('host.log')).sort();
    expect(logs).toEqual(['host.log', ...Array.from({ length: KEPT_LOG_FILES }, (_, index) => `host.log.${index + 1}`)]);
    // A file rotates on the write that takes it past the size: one batch of lines over, at most.
    for (const file of logs) expect((await stat(join(home, file))).size).toBeLessThan(MAX_SIZE_BYTES * 2);
    const kept = (await Promise.all(logs.map((file) => readFile(join(home, file), 'utf8')))).join('');
    expect(kept).not.toContain('/request-0"');
    for (const line of kept.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    expect((await cli('get', 'inventory')).code).toBe(0);
  });

  it('refuses a size it cannot read, naming the flag', async () => {
    const run = await cli('up', '--log-max-size', 'ten');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error\[CLI_BAD_ARGUMENT\]: --log-max-size: "ten" is not a size such as 500K, 10M or 1G/m);
  });
});
