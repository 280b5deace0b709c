import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken } from '../../claims/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';
import { runCli } from './run-cli.ts';

let nats: RunningNats;
let issuer: string;
const cluster = generateKeyPair('cluster');
const operator = generateKeyPair('user');
const homes: string[] = [];

/** A BADGER_HOME whose CLI signs with `user` (its ~/.badger/keys/user.nk). */
async function homeOf(user = generateKeyPair('user')): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'badger-locked-cli-'));
  await mkdir(join(home, 'keys'), { recursive: true, mode: 0o700 });
  await writeFile(join(home, 'keys', 'user.nk'), `${user.seed}\n`, { mode: 0o600 });
  homes.push(home);
  return home;
}

beforeAll(async () => {
  nats = await startNatsServer();
  issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('hello-wat')))!).iss;
});

afterAll(async () => {
  for (const home of homes) await runCli(['down'], { BADGER_HOME: home });
  await nats?.stop();
});

describe('badger up on a locked lattice', () => {
  it('joins vouched for by the cluster seed, and answers only the operator it lists', async () => {
    const hostHome = await homeOf(operator);
    const up = await runCli(['up', '--detached', '--nats', nats.url, '--lattice', 'locked', '--cluster-seed', cluster.seed, '--ctl-allow', operator.publicKey, '--label', 'lock=yes', '--trust', issuer], { BADGER_HOME: hostHome });
    expect(up.code).toBe(0);
    expect(await readFile(join(hostHome, 'host.log'), 'utf8')).toMatch(/joined lattice locked on .* \(locked\)/);
    const asked = (home: string) => runCli(['get', 'hosts', '--nats', nats.url, '--lattice', 'locked', '--wait-ms', '500', '--json'], { BADGER_HOME: home }).then((run) => JSON.parse(run.stdout) as { labels: Record<string, string> }[]);
    expect((await asked(hostHome)).map((host) => host.labels)).toEqual([{ lock: 'yes' }]);
    expect(await asked(await homeOf())).toEqual([]);
  });

  it('lets two hosts vouched for by one cluster key see each other\'s links', async () => {
    const home = await homeOf(operator);
    expect((await runCli(['up', '--detached', '--nats', nats.url, '--lattice', 'locked', '--cluster-seed', cluster.seed, '--ctl-allow', operator.publicKey, '--label', 'lock=second'], { BADGER_HOME: home })).code).toBe(0);
    const first = homes[0]!;
    expect((await runCli(['start', 'actor', builtActor('hello-wat')], { BADGER_HOME: first })).code).toBe(0);
    const put = await runCli(['link', 'put', 'hello-wat', 'kv', 'wasi:keyvalue/store', '--json'], { BADGER_HOME: first });
    expect(put.code).toBe(0);
    let seen: unknown[] = [];
    for (let attempt = 0; attempt < 50 && seen.length === 0; attempt++) {
      seen = JSON.parse((await runCli(['link', 'query', '--json'], { BADGER_HOME: home })).stdout) as unknown[];
      if (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toEqual([expect.objectContaining({ interface: 'wasi:keyvalue/store', target: 'kv' })]);
  });
});
