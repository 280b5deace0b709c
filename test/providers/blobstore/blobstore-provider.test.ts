import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken, stripTokenSections } from '../../../claims/index.ts';
import type { HandledResponse, Host } from '../../../host/index.ts';
import { openLatticeObjectStores } from '../../../host/lattice/index.ts';
import { blobstoreProvider, natsBlobBackend } from '../../../providers/blobstore/index.ts';
import { builtActor } from '../../actors/built-actors.ts';
import { startNatsServer, type RunningNats } from '../../fixtures/nats-server.ts';
import { testHost, type TestHost } from '../../fixtures/shared-thread-host.ts';

const INTERFACES = ['wasi:blobstore/types', 'wasi:blobstore/container', 'wasi:blobstore/blobstore'];

let work: string;
let nats: RunningNats;
let notesBytes: Uint8Array;
let notesCaps: string[];
const hosts: Host[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-blob-provider-'));
  nats = await startNatsServer();
  const built = await readFile(builtActor('blob-notes'));
  notesBytes = stripTokenSections(built);
  notesCaps = [...(decodeClaimsToken(readTopLevelToken(built)!).wascap.caps ?? [])];
});

afterAll(async () => {
  for (const host of hosts) await host.shutdown();
  await nats.stop();
});

/** A host with a blobstore provider, and a way to start blob-notes as an actor of its own each time. */
async function newHost(): Promise<{ host: Host; store: ReturnType<typeof blobstoreProvider>; startNotes(name?: string): Promise<{ id: string }> }> {
  const test: TestHost = await testHost();
  const { host } = test;
  hosts.push(host);
  const store = blobstoreProvider({ fileRoot: join(work, 'default-files'), openNats: async (url) => natsBlobBackend(await openLatticeObjectStores(url)) });
  await host.startProvider(store);
  return { host, store, startNotes: async (name = 'blob-notes') => host.startActor(await test.signed(name, notesBytes, notesCaps)) };
}

async function link(host: Host, source: string, target: string, config: Record<string, string>): Promise<void> {
  for (const iface of INTERFACES) await host.putLink({ source, interface: iface, target, config });
}

async function send(host: Host, actor: string, method: string, path: string, body = new Uint8Array()): Promise<{ status: number; text: string; bytes: Uint8Array }> {
  const result = await host.invoke(actor, { kind: 'http', request: { method, pathWithQuery: path, scheme: 'http', authority: 'test', headers: [], body } });
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  const response = result.value as HandledResponse;
  return { status: response.status, text: new TextDecoder().decode(response.body), bytes: response.body };
}

describe('blob-notes through the host, on the file backend', () => {
  it('round-trips a POST body, lists the notes, and answers a missing note and a missing container with errors, not traps', async () => {
    const { host, store, startNotes } = await newHost();
    const notes = await startNotes();
    await link(host, notes.id, store.id, { backend: 'file', path: join(work, 'round-trip') });
    const body = new Uint8Array(300 * 1024).map((_, i) => (i * 7) % 251);
    expect((await send(host, notes.id, 'POST', '/notes/big', body)).status).toBe(201);
    expect((await send(host, notes.id, 'POST', '/notes/small', new TextEncoder().encode('hi'))).status).toBe(201);
    expect((await send(host, notes.id, 'POST', '/notes/empty')).status).toBe(201);
    expect(JSON.parse((await send(host, notes.id, 'GET', '/notes')).text)).toEqual({ notes: ['big', 'empty', 'small'] });
    expect((await send(host, notes.id, 'GET', '/notes/big')).bytes).toEqual(body);
    expect((await send(host, notes.id, 'GET', '/notes/small')).text).toBe('hi');
    expect((await send(host, notes.id, 'GET', '/notes/empty')).bytes.length).toBe(0);
    expect((await send(host, notes.id, 'GET', '/notes/none')).status).toBe(404);
    expect((await send(host, notes.id, 'DELETE', '/notes/small')).status).toBe(204);
    expect(JSON.parse((await send(host, notes.id, 'GET', '/notes')).text)).toEqual({ notes: ['big', 'empty'] });

    // The handler, called as an actor's thread calls it, answers in the actor's names.
    const linkOf = host.links.query({ source: notes.id, interface: 'wasi:blobstore/container' }).find((entry) => entry.source === notes.id && entry.interface === 'wasi:blobstore/container')!;
    await expect(store.blobstore.getData('notes', 'none', 0n, 10n, linkOf)).rejects.toMatchObject({ value: 'object "none" does not exist in container "notes"' });
    await expect(store.blobstore.getContainer('elsewhere', linkOf)).rejects.toMatchObject({ value: 'container "elsewhere" does not exist' });
    await expect(store.blobstore.createContainer('notes', linkOf)).rejects.toMatchObject({ value: 'container "notes" already exists' });
    expect(host.inventory().actors.find((actor) => actor.id === notes.id)!.failures).toEqual({});
  }, 120_000);

  it('keeps names that try to escape inside the container', async () => {
    const { host, store, startNotes } = await newHost();
    const notes = await startNotes();
    const dir = join(work, 'escape');
    await link(host, notes.id, store.id, { backend: 'file', path: dir });
    for (const name of ['../../escaped', '/etc/passwd', 'a/b', 'nul\u0000name', '..\\..\\win']) {
      expect((await send(host, notes.id, 'POST', `/notes/${encodeURIComponent(name)}`, new TextEncoder().encode(name))).status).toBe(201);
      expect((await send(host, notes.id, 'GET', `/notes/${encodeURIComponent(name)}`)).text).toBe(name);
    }
    // A URL cannot carry ".." as a path segment (it is resolved away), so that one goes in as the actor's thread would send it.
    const linkOf = host.links.query({ source: notes.id, interface: 'wasi:blobstore/container' })[0]!;
    await store.blobstore.writeData('notes', '..', new TextEncoder().encode('dots'), linkOf);
    expect(new TextDecoder().decode(await store.blobstore.getData('notes', '..', 0n, 100n, linkOf))).toBe('dots');
    // One directory, the actor's container, holding every object.
    expect(await readdir(dir)).toHaveLength(1);
    expect(JSON.parse((await send(host, notes.id, 'GET', '/notes')).text).notes).toHaveLength(6);
  }, 120_000);

  it('refuses an object over the link\'s limit with an error that says so, and keeps nothing of it', async () => {
    const { host, store, startNotes } = await newHost();
    const notes = await startNotes();
    await link(host, notes.id, store.id, { backend: 'file', path: join(work, 'limits'), 'max-object-bytes': '1024' });
    const refused = await send(host, notes.id, 'POST', '/notes/big', new Uint8Array(4096));
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text).error).toBe('object "big" is 4096 bytes, over the link\'s limit of 1024 (max-object-bytes)');
    expect(JSON.parse((await send(host, notes.id, 'GET', '/notes')).text)).toEqual({ notes: [] });
  }, 120_000);

  it('keeps two actors in containers of their own unless the link shares one', async () => {
    const { host, store, startNotes } = await newHost();
    const dir = join(work, 'isolation');
    const first = await startNotes('notes-a');
    const second = await startNotes('notes-b');
    await link(host, first.id, store.id, { backend: 'file', path: dir });
    await link(host, second.id, store.id, { backend: 'file', path: dir });
    await send(host, first.id, 'POST', '/notes/secret', new TextEncoder().encode('a'));
    expect(JSON.parse((await send(host, second.id, 'GET', '/notes')).text)).toEqual({ notes: [] });
    expect((await send(host, second.id, 'GET', '/notes/secret')).status).toBe(404);

    await link(host, first.id, store.id, { backend: 'file', path: dir, 'container.notes': 'shared' });
    await link(host, second.id, store.id, { backend: 'file', path: dir, 'container.notes': 'shared' });
    await send(host, first.id, 'POST', '/notes/open', new TextEncoder().encode('for both'));
    expect((await send(host, second.id, 'GET', '/notes/open')).text).toBe('for both');
  }, 120_000);

  it('refuses a link whose config it cannot use, naming the key', async () => {
    const { host, store, startNotes } = await newHost();
    const notes = await startNotes();
    await expect(host.putLink({ source: notes.id, interface: 'wasi:blobstore/container', target: store.id, config: { backend: 'file', pth: '/tmp/x' } })).rejects.toMatchObject({
      code: 'BLOB_BAD_LINK_CONFIG',
      message: expect.stringContaining('unknown key pth'),
    });
    expect(host.links.query({ source: notes.id })).toEqual([]);
  }, 120_000);
});

describe('blob-wat, an actor with no language runtime (the one the providers bench holds to its goals)', () => {
  it('writes and reads back whole objects, makes its container on the first write, and answers a missing one with the store\'s error', async () => {
    const test = await testHost();
    hosts.push(test.host);
    const store = blobstoreProvider({ fileRoot: join(work, 'default-files') });
    await test.host.startProvider(store);
    const built = await readFile(builtActor('blob-wat'));
    const actor = await test.host.startActor(await test.signed('blob-wat', stripTokenSections(built), [...(decodeClaimsToken(readTopLevelToken(built)!).wascap.caps ?? [])]));
    await link(test.host, actor.id, store.id, { backend: 'file', path: join(work, 'wat') });
    const call = async (name: string, ...args: unknown[]) => {
      const result = await test.host.invoke(actor.id, { kind: 'call', name, args });
      if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
      return result.value;
    };
    // Bigger than one page of the actor's memory and than one write of its body, and not a multiple of either.
    const big = new Uint8Array(300 * 1024 + 5).map((_, i) => (i * 13) % 251);
    expect(await call('bytes.write', 'objects', 'big', big)).toEqual({ ok: undefined });
    expect(await call('bytes.write', 'objects', 'empty', new Uint8Array())).toEqual({ ok: undefined });
    expect(await call('bytes.read', 'objects', 'big')).toEqual({ ok: big });
    expect(await call('bytes.read', 'objects', 'empty')).toEqual({ ok: new Uint8Array() });
    expect(await call('bytes.read', 'objects', 'none')).toEqual({ err: 'object "none" does not exist in container "objects"' });
    expect(await call('bytes.read', 'elsewhere', 'big')).toEqual({ err: 'container "elsewhere" does not exist' });
    // Its memory is given back after each call: many big calls leave it able to go on.
    for (let i = 0; i < 50; i++) await call('bytes.write', 'objects', `o${i % 5}`, big);
    expect(await call('bytes.read', 'objects', 'o4')).toEqual({ ok: big });
    expect(await readdir(join(work, 'wat'))).toHaveLength(1);
  }, 120_000);
});

describe('blob-notes through the host, on the nats backend', () => {
  it('round-trips a POST body, lists the notes, answers a missing note, and shares a mapped container between hosts', async () => {
    const [a, b] = [await newHost(), await newHost()];
    const body = new Uint8Array(300 * 1024).map((_, i) => (i * 13) % 251);
    const notesA = await a.startNotes('notes-a');
    const notesB = await b.startNotes('notes-b');
    await link(a.host, notesA.id, a.store.id, { backend: 'nats', url: nats.url });
    expect((await send(a.host, notesA.id, 'POST', '/notes/big', body)).status).toBe(201);
    expect((await send(a.host, notesA.id, 'POST', '/notes/a%2Fb', new TextEncoder().encode('slash'))).status).toBe(201);
    expect(JSON.parse((await send(a.host, notesA.id, 'GET', '/notes')).text)).toEqual({ notes: ['a/b', 'big'] });
    expect((await send(a.host, notesA.id, 'GET', '/notes/big')).bytes).toEqual(body);
    expect((await send(a.host, notesA.id, 'GET', '/notes/none')).status).toBe(404);
    const linkOf = a.host.links.query({ source: notesA.id, interface: 'wasi:blobstore/container' })[0]!;
    await expect(a.store.blobstore.getData('notes', 'none', 0n, 1n, linkOf)).rejects.toMatchObject({ value: 'object "none" does not exist in container "notes"' });

    // Another host's actor sees its own container, unless both links map the same one.
    await link(b.host, notesB.id, b.store.id, { backend: 'nats', url: nats.url });
    expect(JSON.parse((await send(b.host, notesB.id, 'GET', '/notes')).text)).toEqual({ notes: [] });
    await link(a.host, notesA.id, a.store.id, { backend: 'nats', url: nats.url, 'container.notes': 'team-notes' });
    await link(b.host, notesB.id, b.store.id, { backend: 'nats', url: nats.url, 'container.notes': 'team-notes' });
    await send(a.host, notesA.id, 'POST', '/notes/shared', new TextEncoder().encode('from a'));
    expect((await send(b.host, notesB.id, 'GET', '/notes/shared')).text).toBe('from a');
  }, 120_000);
});
