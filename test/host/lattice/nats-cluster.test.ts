import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connect, type KV, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterConfigs } from '../../../host/lattice/index.ts';
import { openLatticeBuckets } from '../../../host/lattice/jetstream.ts';
import { startNatsCluster, type RunningCluster } from '../../fixtures/nats-cluster.ts';
import { freePortRun } from '../../fixtures/nats-server.ts';

const BIN = fileURLToPath(new URL('../../../bin/badger.js', import.meta.url));
const USER = 'UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4';

/** `open`, once JetStream's meta group has a leader (bounded: about 15 s). */
async function bucketWhenReady<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(500);
    }
  }
}

/** A replicated bucket, once JetStream's meta group has a leader (bounded: about 15 s). */
async function replicatedBucket(connection: NatsConnection, name: string): Promise<KV> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connection.jetstream().views.kv(name, { replicas: 3 });
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(500);
    }
  }
}

describe('the configs of badger nats cluster', () => {
  it('route every member to all the others on loopback, run JetStream in one domain, and take leaf nodes on each', () => {
    const members = clusterConfigs({ host: '0.0.0.0', size: 3, port: 4222, clusterPort: 6222, leafPort: 7422, storeDir: '/srv/nats', users: { lattice: 'home', members: [USER], operators: [] } });
    expect(members.map(({ name, port, clusterPort, leafPort }) => [name, port, clusterPort, leafPort])).toEqual([
      ['badger-1', 4222, 6222, 7422],
      ['badger-2', 4223, 6223, 7423],
      ['badger-3', 4224, 6224, 7424],
    ]);
    for (const member of members) {
      expect(member.config).toContain(`server_name: "${member.name}"`);
      expect(member.config).toContain('routes: [ "nats-route://127.0.0.1:6222", "nats-route://127.0.0.1:6223", "nats-route://127.0.0.1:6224" ]');
      // Clients and leaves where asked; routes, which are trusted as members, only on loopback.
      expect(member.config).toMatch(/cluster \{\n {2}name: "badger"\n {2}host: "127\.0\.0\.1"/);
      expect(member.config).toContain(`jetstream { store_dir: "/srv/nats/${member.name}", domain: "badger-hub" }`);
      expect(member.config).toContain(`leafnodes {\n  host: "0.0.0.0"\n  port: ${member.leafPort}\n}`);
      expect(member.config).toContain(`nkey: "${USER}"`);
    }
    expect(() => clusterConfigs({ host: '127.0.0.1', size: 0, port: 4222, clusterPort: 6222, leafPort: 7422, storeDir: '/srv/nats' })).toThrow(/give 1 to 9/);
  });
});

describe('a three-server cluster from those configs (real nats-servers on loopback)', () => {
  let cluster: RunningCluster;
  const connections: NatsConnection[] = [];
  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  });
  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    await cluster?.stop();
  });

  it('carries messages between servers, and keeps a bucket in three replicas, one on each', async () => {
    const [first, , third] = await Promise.all(cluster.urls.map((url) => connect({ servers: url })));
    connections.push(first!, third!);
    const heard = first!.subscribe('cluster.hello', { max: 1 });
    await first!.flush();
    // Routes carry the interest over a moment after the subscription: publish until it is heard (bounded).
    const received = (async () => {
      for await (const message of heard) return message.string();
      return undefined;
    })();
    for (let attempt = 0; attempt < 50 && heard.getProcessed() === 0; attempt++) {
      third!.publish('cluster.hello', 'from badger-3');
      await sleep(100);
    }
    expect(await received).toBe('from badger-3');

    const written = await replicatedBucket(third!, 'replicated');
    await written.put('visits', '41');
    const read = await replicatedBucket(first!, 'replicated');
    expect((await read.get('visits'))?.string()).toBe('41');
    const stream = await (await first!.jetstreamManager()).streams.info('KV_replicated');
    expect(stream.config.num_replicas).toBe(3);
    expect([stream.cluster?.leader, ...(stream.cluster?.replicas ?? []).map((replica) => replica.name)].sort()).toEqual(['badger-1', 'badger-2', 'badger-3']);
  }, 60_000);

  it('makes a key-value link\'s bucket with the replicas it asks for, and refuses one that exists with another count', async () => {
    const buckets = await openLatticeBuckets(cluster.urls.join(','));
    try {
      const bucket = await bucketWhenReady(() => buckets.bucket('counted', { replicas: 3 }));
      await bucket.put('hits', new TextEncoder().encode('1'));
      const first = connections[0]!;
      expect((await (await first.jetstreamManager()).streams.info('KV_counted')).config.num_replicas).toBe(3);
      await expect(buckets.bucket('counted', { replicas: 1 })).rejects.toMatchObject({
        code: 'LATTICE_REPLICAS_MISMATCH',
        message: 'bucket counted exists with 3 replicas, not the 1 asked for: change it with "nats stream edit KV_counted --replicas 1", or ask for 3',
      });
      // Not asking is not a mismatch: the bucket is used as it is.
      expect(new TextDecoder().decode((await (await buckets.bucket('counted')).get('hits')).value)).toBe('1');
    } finally {
      await buckets.close();
    }
  }, 60_000);
});

describe('badger nats cluster --start', () => {
  it('runs the servers, says where once all are up, and stops them all on SIGTERM', async () => {
    const store = await mkdtemp(join(tmpdir(), 'badger-cluster-cli-'));
    const [port, clusterPort, leafPort] = [await freePortRun(3), await freePortRun(3), await freePortRun(3)];
    const child = spawn(process.execPath, [BIN, 'nats', 'cluster', '--start', '--json', '--port', String(port), '--cluster-port', String(clusterPort), '--leaf-port', String(leafPort), '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    const said = await new Promise<{ urls: string[]; running: boolean }>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      void exited.then((code) => reject(new Error(`badger nats cluster --start exited with ${code}: ${err}`)));
    });
    expect(said).toMatchObject({ running: true, urls: [`nats://127.0.0.1:${port}`, `nats://127.0.0.1:${port + 1}`, `nats://127.0.0.1:${port + 2}`] });
    for (const url of said.urls) {
      const connection = await connect({ servers: url });
      expect(connection.info?.cluster).toBe('badger');
      await connection.close();
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(connect({ servers: said.urls[0], reconnect: false, timeout: 1000 })).rejects.toThrow();
  }, 60_000);
});
