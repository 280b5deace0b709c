import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../host/index.ts';
import { fileToolHost } from '../../fixtures/file-tool-host.ts';

const PREOPENS = 'wasi:filesystem/preopens';
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: unknown) => new TextDecoder().decode(value as Uint8Array);

let dir: string;
const hosts: Host[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'badger-fs-provider-'));
});
afterAll(async () => {
  for (const host of hosts) await host.shutdown();
  await rm(dir, { recursive: true, force: true });
});

async function directory(name: string, files: Record<string, string> = {}): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    await mkdir(join(path, file, '..'), { recursive: true });
    await writeFile(join(path, file), content);
  }
  return path;
}

async function tools(count: number, caps?: string[]) {
  const made = await fileToolHost(count, caps);
  hosts.push(made.host);
  return made;
}

describe('the filesystem provider, through file-tool actors', () => {
  it('gives an rw link its directory: files are written, read back, listed and removed, on the host too', async () => {
    const path = await directory('rw', { 'given.txt': 'from the operator', 'sub/deep.txt': 'deep' });
    const { host, providerId, tools: [tool] } = await tools(1);
    await host.putLink({ source: tool!.id, interface: PREOPENS, target: providerId, config: { path, mode: 'rw', guest_path: '/data' } });
    expect(await tool!.call('preopen')).toBe('/data');
    expect(text((await tool!.call('read', 'given.txt') as { value: unknown }).value)).toBe('from the operator');
    expect(text((await tool!.call('read', 'sub/deep.txt') as { value: unknown }).value)).toBe('deep');
    const big = new Uint8Array(300_000).map((_, i) => i % 251);
    expect(await tool!.call('write', 'sub/big.bin', big)).toEqual({ ok: true, value: undefined });
    expect(new Uint8Array(await readFile(join(path, 'sub/big.bin')))).toEqual(big);
    expect((await tool!.call('read', 'sub/big.bin') as { value: Uint8Array }).value).toEqual(big);
    expect(await tool!.call('names', '')).toEqual({ ok: true, value: ['given.txt', 'sub'] });
    expect(await tool!.call('names', 'sub')).toEqual({ ok: true, value: ['big.bin', 'deep.txt'] });
    expect(await tool!.call('remove', 'sub/big.bin')).toEqual({ ok: true, value: undefined });
    expect(await tool!.call('read', 'sub/big.bin')).toEqual({ ok: false, err: 'no-entry' });
  });

  it('refuses every write through an ro link (the default), and still reads', async () => {
    const path = await directory('ro', { 'keep.txt': 'kept' });
    const { host, providerId, tools: [tool] } = await tools(1);
    await host.putLink({ source: tool!.id, interface: PREOPENS, target: providerId, config: { path } });
    expect(await tool!.call('write', 'new.txt', bytes('x'))).toEqual({ ok: false, err: 'read-only' });
    expect(await tool!.call('write', 'keep.txt', bytes('overwritten'))).toEqual({ ok: false, err: 'read-only' });
    expect(await tool!.call('remove', 'keep.txt')).toEqual({ ok: false, err: 'read-only' });
    expect(await readFile(join(path, 'keep.txt'), 'utf8')).toBe('kept');
    expect(text((await tool!.call('read', 'keep.txt') as { value: unknown }).value)).toBe('kept');
  });

  it('keeps two actors linked to different directories apart', async () => {
    const first = await directory('first', { 'mine.txt': 'first' });
    const second = await directory('second', { 'mine.txt': 'second' });
    const { host, providerId, tools: [a, b] } = await tools(2);
    await host.putLink({ source: a!.id, interface: PREOPENS, target: providerId, config: { path: first, mode: 'rw' } });
    await host.putLink({ source: b!.id, interface: PREOPENS, target: providerId, config: { path: second, mode: 'rw' } });
    expect(await a!.call('write', 'only-a.txt', bytes('a'))).toEqual({ ok: true, value: undefined });
    expect(await b!.call('names', '')).toEqual({ ok: true, value: ['mine.txt'] });
    expect(text((await b!.call('read', 'mine.txt') as { value: unknown }).value)).toBe('second');
    expect(await b!.call('read', '../first/only-a.txt')).toEqual({ ok: false, err: 'not-permitted' });
    expect(await b!.call('read', 'only-a.txt')).toEqual({ ok: false, err: 'no-entry' });
  });

  it('leaves an unlinked actor an empty filesystem', async () => {
    const { tools: [tool] } = await tools(1);
    expect(await tool!.call('preopen')).toBeUndefined();
    expect(await tool!.call('read', 'anything')).toEqual({ ok: false, err: 'no-preopen' });
  });

  it('refuses a link without a path, to a path that is not a directory, or with an unknown mode', async () => {
    const file = join(await directory('refusals', { 'plain.txt': 'x' }), 'plain.txt');
    const { host, providerId, tools: [tool] } = await tools(1);
    const put = (config: Record<string, string>) => host.putLink({ source: tool!.id, interface: PREOPENS, target: providerId, config });
    await expect(put({})).rejects.toThrow('path is required');
    await expect(put({ path: file })).rejects.toThrow('is not a directory');
    await expect(put({ path: join(dir, 'missing') })).rejects.toThrow('cannot be used');
    await expect(put({ path: dir, mode: 'write' })).rejects.toThrow('mode=write: use ro or rw');
    await expect(put({ path: dir, moed: 'rw' })).rejects.toThrow('unknown key moed');
  });

  it('refuses a link for an actor whose claims do not name wasi:filesystem/preopens', async () => {
    const { host, providerId, tools: [tool] } = await tools(1, []);
    await expect(host.putLink({ source: tool!.id, interface: PREOPENS, target: providerId, config: { path: dir } })).rejects.toThrow('--cap wasi:filesystem/preopens');
    expect(await tool!.call('preopen')).toBeUndefined();
  });
});
