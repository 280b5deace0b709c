import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'nats';
import { natsServers } from '../../host/lattice/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { startNatsCluster, type RunningCluster } from '../fixtures/nats-cluster.ts';
import { runCli } from './run-cli.ts';

interface HostRow {
  readonly id: string;
  readonly labels: Record<string, string>;
  readonly server?: string;
}

describe('several NATS URLs', () => {
  it('are read from one --nats value, with commas', () => {
    expect(natsServers('nats://a:4222, nats://b:4222,,nats://c:4222')).toEqual(['nats://a:4222', 'nats://b:4222', 'nats://c:4222']);
    expect(natsServers(['nats://a:4222,nats://b:4222', 'nats://c:4222'])).toEqual(['nats://a:4222', 'nats://b:4222', 'nats://c:4222']);
  });
});

describe('a host on a three-server cluster, given all three URLs (real nats-servers on loopback)', () => {
  let cluster: RunningCluster;
  let home: string;
  let urls: string;
  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    urls = cluster.urls.join(',');
    home = await mkdtemp(join(tmpdir(), 'badger-cluster-host-'));
  });
  afterAll(async () => {
    await runCli(['down'], { BADGER_HOME: home });
    await cluster?.stop();
  });

  const hosts = async (): Promise<HostRow[]> => {
    const run = await runCli(['get', 'hosts', '--nats', urls, '--wait-ms', '500', '--json'], { BADGER_HOME: home });
    return run.code === 0 ? (JSON.parse(run.stdout) as HostRow[]) : [];
  };

  it('pushes into a lattice store kept in three replicas, and refuses to use it with another count', async () => {
    const push = (...args: string[]) => runCli(['push', builtActor('hello-wat'), 'hello:0.1.0', '--nats', urls, ...args], { BADGER_HOME: home });
    // JetStream's meta group may still be electing its first leader (bounded: 15 s).
    let pushed = await push('--replicas', '3');
    for (let attempt = 0; attempt < 30 && pushed.code !== 0; attempt++) {
      await sleep(500);
      pushed = await push('--replicas', '3');
    }
    expect(pushed.code, pushed.stderr).toBe(0);
    const connection = await connect({ servers: cluster.urls[0]! });
    try {
      expect((await (await connection.jetstreamManager()).streams.info('OBJ_badger_artifacts_default')).config.num_replicas).toBe(3);
    } finally {
      await connection.close();
    }
    const refused = await push('--replicas', '1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error[LATTICE_REPLICAS_MISMATCH]: lattice default\'s artifact store exists with 3 replicas, not the 1 asked for');
    expect((await push()).code).toBe(0);
  }, 60_000);

  it('says which server it is on, and moves to another by itself when that one is killed', async () => {
    const up = await runCli(['up', '--detached', '--nats', urls, '--label', 'cluster=yes'], { BADGER_HOME: home });
    expect(up.code, up.stderr).toBe(0);
    const [before] = await hosts();
    expect(before).toMatchObject({ labels: { cluster: 'yes' }, server: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    const port = Number(before!.server!.split(':')[1]);
    const lost = cluster.servers.find((server) => server.url.endsWith(`:${port}`))!;
    process.kill(lost.pid, 'SIGKILL');

    // The host reconnects to one of the other two; until then, no one answers for it (bounded: 30 s).
    let after: HostRow | undefined;
    for (let attempt = 0; attempt < 60 && !(after && after.server !== before!.server); attempt++) {
      [after] = (await hosts()).filter((host) => host.id === before!.id);
      if (!after || after.server === before!.server) await sleep(500);
    }
    expect(after?.server).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(after!.server).not.toBe(before!.server);
    expect(cluster.servers.filter((server) => server !== lost).map((server) => server.url)).toContain(`nats://${after!.server}`);
    const table = await runCli(['get', 'hosts', '--nats', urls, '--wait-ms', '500'], { BADGER_HOME: home });
    expect(table.stdout).toMatch(/^HOST +LABELS +SERVER +UPTIME/);
    expect(table.stdout).toContain(after!.server!);
  }, 90_000);
});
