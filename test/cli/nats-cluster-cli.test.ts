import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsServers } from '../../host/lattice/index.ts';
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
