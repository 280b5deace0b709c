// A server of a three-server cluster killed with SIGKILL while the lattice works: acknowledged
// increments, applications and leaves all come through it. Real nats-servers on loopback.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { startNatsCluster, type ClusterMember, type RunningCluster } from '../fixtures/nats-cluster.ts';
import { freePort } from '../fixtures/nats-server.ts';
import { runCli } from './run-cli.ts';

const examplesIssuer = async () => decodeClaimsToken(readTopLevelToken(await readFile(builtActor('counter')))!).iss;
const json = (run: { stdout: string }) => JSON.parse(run.stdout);

/** Repeats `look` until it gives something (bounded: `attempts` looks `everyMs` apart); the last look's answer. */
async function eventually<T>(look: () => Promise<T | undefined>, attempts = 60, everyMs = 500): Promise<T | undefined> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const seen = await look().catch(() => undefined);
    if (seen !== undefined) return seen;
    await sleep(everyMs);
  }
  return undefined;
}

/** The member that holds a client connection whose name starts so (`badger-host N…`), from each live server's /connz. */
async function serverHolding(cluster: RunningCluster, name: string, dead: readonly ClusterMember[] = []): Promise<ClusterMember | undefined> {
  for (const server of cluster.servers.filter((member) => !dead.includes(member))) {
    const connz = (await (await fetch(`${server.monitorUrl}/connz?limit=1024`)).json()) as { connections?: { name?: string }[] };
    if (connz.connections?.some((connection) => connection.name?.startsWith(name))) return server;
  }
  return undefined;
}

/** The member a leaf node is attached to, from each live server's /leafz. */
async function serverWithLeaf(cluster: RunningCluster, dead: readonly ClusterMember[] = []): Promise<ClusterMember | undefined> {
  for (const server of cluster.servers.filter((member) => !dead.includes(member))) {
    const leafz = (await (await fetch(`${server.monitorUrl}/leafz`)).json()) as { leafnodes?: number };
    if ((leafz.leafnodes ?? 0) > 0) return server;
  }
  return undefined;
}

/** Moves a stream's leader onto `wanted` (bounded), so that killing it takes the leader too; asked through the other members. */
async function leadOn(cluster: RunningCluster, stream: string, wanted: ClusterMember): Promise<void> {
  const admin = await connect({ servers: cluster.servers.filter((server) => server !== wanted).map((server) => server.url) });
  try {
    const jsm = await admin.jetstreamManager();
    for (let attempt = 0; attempt < 20; attempt++) {
      if ((await jsm.streams.info(stream)).cluster?.leader === wanted.name) return;
      await admin.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, undefined, { timeout: 5000 }).catch(() => undefined);
      await sleep(1000);
    }
    throw new Error(`${stream}'s leader never moved to ${wanted.name}`);
  } finally {
    await admin.close();
  }
}

let cluster: RunningCluster | undefined;
const homes: string[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await runCli(['down'], { BADGER_HOME: home });
  await cluster?.stop();
  cluster = undefined;
});

async function hostHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'badger-failover-'));
  homes.push(home);
  return home;
}

describe('losing the server a host is on, under load', () => {
  it('keeps every acknowledged increment exactly once, and the host moves to a surviving server by itself', async () => {
    cluster = await startNatsCluster(3, { monitor: true });
    const urls = cluster.urls.join(',');
    const home = await hostHome();
    const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });
    const up = await cli('up', '--detached', '--nats', urls, '--trust', await examplesIssuer());
    expect(up.code, up.stderr).toBe(0);
    for (const args of [
      ['start', 'actor', builtActor('counter')],
      ['start', 'provider', 'keyvalue', '--id', 'kv'],
      ['start', 'provider', 'http-server', '--id', 'web'],
    ]) {
      const started = await cli(...args);
      expect(started.code, started.stderr).toBe(0);
    }
    const store = ['--config', 'backend=nats', '--config', `url=${urls}`, '--config', 'replicas=3', '--config', 'bucket=visits'];
    // JetStream's meta group may still be electing its first leader: the first link may be refused (bounded: 30 s).
    const linked = await eventually(async () => ((await cli('link', 'put', 'counter', 'kv', 'wasi:keyvalue/store', ...store)).code === 0 ? true : undefined));
    expect(linked).toBe(true);
    expect((await cli('link', 'put', 'counter', 'kv', 'wasi:keyvalue/atomics', ...store)).code).toBe(0);
    const port = await freePort();
    expect((await cli('link', 'put', 'counter', 'web', 'wasi:http/incoming-handler', '--config', `address=127.0.0.1:${port}`)).code).toBe(0);
    const hit = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/hits`);
      if (response.status !== 200) throw new Error(`${response.status}: ${await response.text()}`);
      return ((await response.json()) as { count: number }).count;
    };
    expect(await eventually(hit)).toBe(1);

    // The store's connection and the bucket's stream leader on the same server: the worst one to lose.
    const lost = (await eventually(() => serverHolding(cluster!, 'badger-keyvalue')))!;
    expect(lost).toBeDefined();
    await leadOn(cluster, 'KV_visits', lost);

    // 8 clients increment; the server goes after 150 acknowledgements, and 150 more follow.
    const acknowledged: number[] = [];
    const refusals: string[] = [];
    let killed = false;
    const client = async () => {
      while (acknowledged.length < 300) {
        try {
          acknowledged.push(await hit());
        } catch (error) {
          refusals.push(String((error as Error).cause ?? (error as Error).message));
        }
        if (!killed && acknowledged.length >= 150) {
          killed = true;
          process.kill(lost.pid, 'SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    expect(refusals).toEqual([]);
    // Nothing lost and nothing doubled: the counts acknowledged are 2..N+1 exactly (1 was the first hit).
    const sorted = [...acknowledged].sort((a, b) => a - b);
    expect(sorted).toEqual(Array.from({ length: sorted.length }, (_, index) => index + 2));
    expect(await hit()).toBe(sorted.length + 2);
    const now = await eventually(() => serverHolding(cluster!, 'badger-keyvalue', [lost]));
    expect(now).toBeDefined();
    expect(now).not.toBe(lost);
  }, 180_000);
});

/** One actor, hello-wat, placed on any host. */
function helloApp(name: string, image: string): string {
  return `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: ${name}
spec:
  components:
    - name: hello
      type: component
      properties:
        image: ${image}
      traits:
        - type: spreadscaler
          properties: { instances: 1 }
`;
}

describe('applications on a cluster that loses a server', () => {
  it('stay deployed, and the reconciler goes on placing and mending them', async () => {
    cluster = await startNatsCluster(3, { monitor: true });
    const urls = cluster.urls.join(',');
    const home = await hostHome();
    const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });
    const up = await eventually(async () => {
      const run = await cli('up', '--detached', '--nats', urls, '--replicas', '3', '--trust', await examplesIssuer());
      return run.code === 0 ? run : undefined;
    }, 15, 1000);
    expect(up?.code).toBe(0);
    const admin = await connect({ servers: [...cluster.urls] });
    try {
      const jsm = await admin.jetstreamManager();
      for (const stream of ['KV_badger_apps_default', 'KV_badger_apps_default_leader']) expect((await jsm.streams.info(stream)).config.num_replicas).toBe(3);
    } finally {
      await admin.close();
    }
    const first = join(home, 'first.yaml');
    await writeFile(first, helloApp('first', builtActor('hello-wat')));
    const deployed = await cli('app', 'deploy', first, '--nats', urls, '--wait', '--json');
    expect(deployed.code, deployed.stderr).toBe(0);

    // A host asked for another count of copies is refused at its start, and says what to do.
    const other = await hostHome();
    const refused = await runCli(['up', '--detached', '--nats', urls, '--replicas', '1'], { BADGER_HOME: other });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('LATTICE_REPLICAS_MISMATCH');
    expect(refused.stderr).toContain('bucket badger_apps_default exists with 3 replicas, not the 1 asked for');

    // The host's server leads the application bucket's stream too: the worst one to lose.
    const lost = (await eventually(() => serverHolding(cluster!, 'badger-host')))!;
    expect(lost).toBeDefined();
    await leadOn(cluster, 'KV_badger_apps_default', lost);
    process.kill(lost.pid, 'SIGKILL');

    const state = async (name: string) => {
      const run = await cli('app', 'status', name, '--nats', urls, '--json');
      return run.code === 0 ? (json(run) as { state: string }).state : undefined;
    };
    expect(await state('first')).toBe('deployed');
    // The reconciler mends: the actor stopped by hand is started again (bounded: 60 s).
    expect((await cli('stop', 'actor', 'hello-wat')).code).toBe(0);
    const actors = async () => (json(await cli('get', 'inventory', '--json')) as { actors: { name: string }[] }).actors.map((actor) => actor.name);
    expect(await eventually(async () => ((await actors()).includes('hello-wat') ? true : undefined), 120)).toBe(true);
    // And places: an application deployed after the loss is deployed.
    const second = join(home, 'second.yaml');
    await writeFile(second, helloApp('second', builtActor('hello')));
    const again = await eventually(async () => {
      const run = await cli('app', 'deploy', second, '--nats', urls, '--wait', '--json');
      return run.code === 0 ? json(run) : undefined;
    }, 20, 1000);
    expect(again).toMatchObject({ state: 'deployed' });
    expect(await state('first')).toBe('deployed');
    expect(await serverHolding(cluster, 'badger-host', [lost])).toBeDefined();
  }, 180_000);
});

describe('a leaf host attached to the cluster', () => {
  it('follows the hub member it is attached to when that member dies', async () => {
    cluster = await startNatsCluster(3, { monitor: true });
    const urls = cluster.urls.join(',');
    const leafRemote = cluster.servers.map((server) => `nats-leaf://127.0.0.1:${server.leafPort}`).join(',');
    const home = await hostHome();
    const up = await runCli(['up', '--detached', '--leaf-remote', leafRemote, '--leaf-port', String(await freePort()), '--label', 'role=leaf', '--trust', await examplesIssuer()], { BADGER_HOME: home });
    expect(up.code, up.stderr).toBe(0);
    expect((await runCli(['start', 'actor', builtActor('hello-wat')], { BADGER_HOME: home })).code).toBe(0);
    const leafHost = async () => {
      const run = await runCli(['get', 'hosts', '--nats', urls, '--wait-ms', '500', '--json'], { BADGER_HOME: home });
      return run.code === 0 ? (json(run) as { id: string; labels: Record<string, string> }[]).find((host) => host.labels.role === 'leaf') : undefined;
    };
    const seen = await eventually(leafHost);
    expect(seen).toBeDefined();
    const lost = (await eventually(() => serverWithLeaf(cluster!)))!;
    expect(lost).toBeDefined();
    process.kill(lost.pid, 'SIGKILL');

    // The leaf attaches to a survivor, and the hub side reaches the host through it again (bounded).
    const moved = await eventually(() => serverWithLeaf(cluster!, [lost]));
    expect(moved).toBeDefined();
    expect(moved).not.toBe(lost);
    const survivors = cluster.servers.filter((server) => server !== lost).map((server) => server.url).join(',');
    const again = await eventually(async () => {
      const found = await leafHost();
      return found?.id === seen!.id ? found : undefined;
    });
    expect(again?.id).toBe(seen!.id);
    // A control request from the hub's side reaches the host through the leaf's new route.
    const started = await eventually(async () => {
      const run = await runCli(['start', 'actor', builtActor('hello'), '--nats', survivors, '--host', seen!.id, '--json'], { BADGER_HOME: home });
      return run.code === 0 ? true : undefined;
    });
    expect(started).toBe(true);
    const inventory = json(await runCli(['get', 'inventory', '--json'], { BADGER_HOME: home })) as { actors: { name: string }[] };
    expect(inventory.actors.map((actor) => actor.name).sort()).toEqual(['hello', 'hello-wat']);
  }, 180_000);
});

afterAll(async () => {
  await cluster?.stop();
});
