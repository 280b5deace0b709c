import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken, type PublicKey } from '../../../claims/index.ts';
import { defaultPolicy, type HandledResponse, Host, type InvocationResult } from '../../../host/index.ts';
import { openLatticeBuckets } from '../../../host/lattice/index.ts';
import { keyValueProvider } from '../../../providers/keyvalue/index.ts';
import { builtActor } from '../../actors/built-actors.ts';
import { startNatsServer, type RunningNats } from '../../fixtures/nats-server.ts';

let nats: RunningNats;
let work: string;
let issuer: PublicKey;
const hosts: Host[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  work = await mkdtemp(join(tmpdir(), 'badger-kv-provider-'));
  issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('counter')))!).iss;
});

afterAll(async () => {
  for (const host of hosts) await host.shutdown();
  await nats.stop();
});

async function newHost(): Promise<{ host: Host; store: ReturnType<typeof keyValueProvider> }> {
  const host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  hosts.push(host);
  const store = keyValueProvider({ fileRoot: join(work, 'default-files'), latticeBuckets: openLatticeBuckets });
  await host.startProvider(store);
  return { host, store };
}

async function link(host: Host, source: string, target: string, config: Record<string, string>): Promise<void> {
  for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics', 'wasi:keyvalue/batch']) {
    await host.putLink({ source, interface: iface, target, config });
  }
}

const visit = { kind: 'http' as const, request: { method: 'GET', pathWithQuery: '/visits', scheme: 'http' as const, authority: 'test', headers: [], body: new Uint8Array() } };

/** `clients` callers, each sending `each` requests one after another; returns every count answered. */
async function hammer(host: Host, actor: string, clients: number, each: number): Promise<number[]> {
  const counts: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < each; i++) {
        const result = await host.invoke(actor, visit);
        if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
        const response = result.value as HandledResponse;
        const body = JSON.parse(new TextDecoder().decode(response.body));
        if (response.status !== 200) throw new Error(JSON.stringify(body));
        counts.push(body.count);
      }
    }),
  );
  return counts;
}

const everyCountOnce = (counts: number[], total: number) => expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));

describe('the counter actor through the host, on each backend', () => {
  it.each([
    ['memory', () => ({ backend: 'memory', bucket: 'mem' })],
    ['file', () => ({ backend: 'file', path: join(work, 'files'), bucket: 'counts' })],
    ['nats', () => ({ backend: 'nats', url: nats.url, bucket: 'counts' })],
  ])('counts 8 concurrent callers × 500 requests exactly on the %s backend', async (_name, config) => {
    const { host, store } = await newHost();
    const counter = await host.startActor(builtActor('counter'), { maxInstances: 8 });
    await link(host, counter.id, store.id, config());
    everyCountOnce(await hammer(host, counter.id, 8, 500), 4000);
  }, 240_000);

  it('counts exactly when two hosts increment the same NATS key at once', async () => {
    const [a, b] = [await newHost(), await newHost()];
    for (const { host, store } of [a, b]) {
      const counter = await host.startActor(builtActor('counter'), { maxInstances: 4 });
      await link(host, counter.id, store.id, { backend: 'nats', url: nats.url, bucket: 'shared' });
    }
    const counts = (await Promise.all([a, b].map(({ host }) => hammer(host, 'counter', 4, 250)))).flat();
    everyCountOnce(counts, 2000);
  }, 240_000);
});

describe('bad input and isolation', () => {
  const call = (name: string, ...args: unknown[]) => ({ kind: 'call' as const, name, args });
  const answer = (result: InvocationResult) => {
    expect(result.ok).toBe(true);
    return (result as { value: { ok?: unknown; err?: unknown } }).value;
  };

  it('answers path-escape keys, oversized input and unknown buckets with error variants, and the actor lives on', async () => {
    const { host, store } = await newHost();
    const dir = join(work, 'escape');
    const tool = await host.startActor(builtActor('kv-tool'));
    await link(host, tool.id, store.id, { backend: 'file', path: dir, bucket: 'tools', 'max-key-bytes': '64', 'max-value-bytes': '1024' });
    const value = new TextEncoder().encode('inside');
    for (const key of ['../../escaped', '/etc/passwd', 'nul\u0000key', '..']) {
      expect(answer(await host.invoke(tool.id, call('tool.set', 'default', key, value)))).toEqual({ ok: undefined });
    }
    expect((await readdir(dir)).sort()).toEqual(['LOCK', 'tools.log']);
    expect(answer(await host.invoke(tool.id, call('tool.set', 'default', 'big', new Uint8Array(2048))))).toEqual({ err: 'other: the value is 2048 bytes; the limit is 1024' });
    expect(answer(await host.invoke(tool.id, call('tool.set', 'default', 'k'.repeat(65), value)))).toEqual({ err: 'other: the key is 65 bytes; the limit is 64' });
    expect(answer(await host.invoke(tool.id, call('tool.get', 'nowhere', 'k')))).toEqual({ err: 'no-such-store' });
    expect(answer(await host.invoke(tool.id, call('tool.get', 'default', '../../escaped')))).toEqual({ ok: value });
    expect(host.inventory().actors.find((actor) => actor.id === tool.id)!.failures).toEqual({});
  });

  it('keeps two actors linked to different buckets out of each other\'s data', async () => {
    const { host, store } = await newHost();
    const counter = await host.startActor(builtActor('counter'));
    const tool = await host.startActor(builtActor('kv-tool'));
    await link(host, counter.id, store.id, { bucket: 'alpha' });
    await link(host, tool.id, store.id, { bucket: 'beta' });
    await hammer(host, counter.id, 1, 3);
    expect(answer(await host.invoke(tool.id, call('tool.get', 'default', 'counter:/visits')))).toEqual({ ok: undefined });
    expect(answer(await host.invoke(tool.id, call('tool.list-keys', 'default')))).toEqual({ ok: [] });
    expect(answer(await host.invoke(tool.id, call('tool.get', 'alpha', 'counter:/visits')))).toEqual({ err: 'no-such-store' });
    expect(new TextDecoder().decode(store.memory.data.get('alpha')!.get('counter:/visits'))).toBe('3');
  });
});
