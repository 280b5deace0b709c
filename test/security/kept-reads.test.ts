/**
 * An actor's thread keeps what a key-value read answered, and answers the same read again itself,
 * while the store behind the link is one only this process writes (memory, file). The attacks:
 * read a value, then have it changed under the actor (by another actor through the provider, by
 * another host of the lattice on a nats store, by a peer that marks its answer as keepable), and
 * see whether the actor goes on reading the old value. Each test first shows the read is kept
 * (a change written straight into the store's memory, behind the provider's back, is not seen),
 * so that the next step shows the kept read being dropped, not a read that was never kept.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { defaultPolicy, Host, LinkTable, routeImportCall, type ActorSummary, type Contract } from '../../host/index.ts';
import { openLatticeBuckets } from '../../host/lattice/index.ts';
import { keyValueContract, keyValueProvider, natsBackend } from '../../providers/keyvalue/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';

const text = (value: string) => new TextEncoder().encode(value);
let work: string;
let host: Host;
let tool: ActorSummary;
let nats: RunningNats;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-kept-reads-'));
  nats = await startNatsServer();
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('kv-tool')))!).iss;
  host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  // A provider of the kind must run before an actor that imports it may start.
  await host.startProvider(keyValueProvider());
  tool = await host.startActor(builtActor('kv-tool'));
});
afterAll(async () => {
  await host.shutdown();
  await nats.stop();
  await rm(work, { recursive: true, force: true });
});

async function call(name: string, ...args: unknown[]): Promise<{ ok?: unknown; err?: unknown }> {
  const result = await host.invoke(tool.id, { kind: 'call', name, args });
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.value as { ok?: unknown; err?: unknown };
}

async function read(key: string): Promise<string | undefined> {
  const answer = await call('tool.get', 'default', key);
  if ('err' in answer) throw new Error(`get ${key}: ${JSON.stringify(answer.err)}`);
  return answer.ok === undefined ? undefined : new TextDecoder().decode(answer.ok as Uint8Array);
}

/** A store provider linked to the actor, replacing whatever link it had. */
async function linkedStore(id: string, config: Record<string, string>) {
  const store = keyValueProvider({ id, latticeBuckets: openLatticeBuckets });
  await host.startProvider(store);
  for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) await host.putLink({ source: tool.id, interface: iface, target: store.id, config });
  return store;
}

describe('reads an actor thread keeps', () => {
  it('are dropped when another writer changes the value through the provider (memory)', async () => {
    const store = await linkedStore('kept-memory', { bucket: 'shared' });
    const anotherActor = { source: 'another-actor', interface: 'wasi:keyvalue/store', name: 'default', target: store.id, config: { bucket: 'shared' } };
    await store.keyvalue.set('default', 'k', text('one'), anotherActor);
    expect(await read('k')).toBe('one');
    // Behind the provider's back (no actor can do this): the thread still answers from what it kept.
    store.memory.data.get('shared')!.set('k', text('changed behind the provider'));
    expect(await read('k')).toBe('one');

    // Another actor's write goes through the provider, which makes every thread forget.
    await store.keyvalue.set('default', 'k', text('two'), anotherActor);
    expect(await read('k')).toBe('two');
    // The actor's own write too.
    expect(await call('tool.set', 'default', 'k', text('three'))).toEqual({ ok: undefined });
    expect(await read('k')).toBe('three');
    await host.stopProvider(store.id);
  });

  it('are dropped when the value is deleted or incremented', async () => {
    const store = await linkedStore('kept-counter', { bucket: 'counters' });
    expect(await call('tool.increment', 'default', 'n', 1n)).toEqual({ ok: 1n });
    expect(await read('n')).toBe('1');
    expect(await call('tool.increment', 'default', 'n', 1n)).toEqual({ ok: 2n });
    expect(await read('n')).toBe('2');
    expect(await call('tool.delete', 'default', 'n')).toEqual({ ok: undefined });
    expect(await read('n')).toBeUndefined();
    await host.stopProvider(store.id);
  });

  it('are dropped when the link moves to another bucket', async () => {
    const store = await linkedStore('kept-relinked', { bucket: 'first' });
    await (await store.memory.bucket('first')).set('k', text('in first'));
    await (await store.memory.bucket('second')).set('k', text('in second'));
    expect(await read('k')).toBe('in first');
    expect(await read('k')).toBe('in first');
    await host.putLink({ source: tool.id, interface: 'wasi:keyvalue/store', target: store.id, config: { bucket: 'second' } });
    expect(await read('k')).toBe('in second');
    await host.stopProvider(store.id);
  });

  it('are dropped when a file store is written', async () => {
    const store = await linkedStore('kept-file', { backend: 'file', path: join(work, 'files'), bucket: 'b' });
    expect(await call('tool.set', 'default', 'k', text('on disk'))).toEqual({ ok: undefined });
    expect(await read('k')).toBe('on disk');
    expect(await read('k')).toBe('on disk');
    expect(await call('tool.set', 'default', 'k', text('on disk again'))).toEqual({ ok: undefined });
    expect(await read('k')).toBe('on disk again');
    await host.stopProvider(store.id);
  });

  it('are never kept when larger than 4 KiB', async () => {
    const store = await linkedStore('kept-large', { bucket: 'large' });
    const large = 'L'.repeat(5000);
    store.memory.data.set('large', new Map([['k', text(large)]]));
    expect(await read('k')).toBe(large);
    store.memory.data.get('large')!.set('k', text('small now'));
    expect(await read('k')).toBe('small now');
    await host.stopProvider(store.id);
  });
});

describe('reads an actor thread never keeps', () => {
  it('of a nats store, which other hosts write: a write by another client is seen at once', async () => {
    const store = await linkedStore('kept-nats', { backend: 'nats', url: nats.url, bucket: 'lattice-shared' });
    const elsewhere = natsBackend(await openLatticeBuckets(nats.url));
    try {
      const bucket = await elsewhere.bucket('lattice-shared');
      await bucket.set('k', text('from another host'));
      expect(await read('k')).toBe('from another host');
      await bucket.set('k', text('changed by another host'));
      expect(await read('k')).toBe('changed by another host');
    } finally {
      await elsewhere.close();
      await host.stopProvider(store.id);
    }
  });

  it('from a provider elsewhere on the lattice, whatever its answer says', async () => {
    const links = new LinkTable();
    links.put({ source: 'reader', interface: 'wasi:keyvalue/store', name: 'default', target: 'remote-store', config: {} });
    const outcome = await routeImportCall(
      links,
      {
        contractFor: (iface) => (keyValueContract.interfaces.includes(iface) ? (keyValueContract as Contract<never>) : undefined),
        provider: () => undefined,
        callActor: () => undefined,
        // A peer that asks the reader to keep its answer.
        remoteProvider: async () => ({ ok: text('stale forever'), keep: true }) as never,
      },
      'reader',
      'wasi:keyvalue/store',
      'get',
      ['default', 'k'],
    );
    expect(outcome).toEqual({ ok: text('stale forever') });
    expect('keep' in outcome).toBe(false);
  });
});
