import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../host/index.ts';
import { Descriptor, preopenAt } from '../../providers/filesystem/file-descriptors.ts';
import { fileToolHost, type FileTool } from '../fixtures/file-tool-host.ts';

// An actor given one directory tries every way out of it: `..`, absolute paths, NUL, and the
// symlinks an operator's directory may hold. Each must be refused with a wasi:filesystem error,
// and nothing outside may be read or written.
let dir: string;
let given: string;
let outside: string;
let host: Host;
let tool: FileTool;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'badger-fs-escapes-'));
  given = join(dir, 'given');
  outside = join(dir, 'outside');
  await mkdir(join(given, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'secret');
  await writeFile(join(given, 'sub', 'deep.txt'), 'deep');
  await symlink(outside, join(given, 'absolute-out'));
  await symlink('../outside', join(given, 'relative-out'));
  await symlink('../../outside/secret.txt', join(given, 'sub', 'file-out'));
  await symlink('sub', join(given, 'inner'));
  await symlink('loop-b', join(given, 'loop-a'));
  await symlink('loop-a', join(given, 'loop-b'));
  const made = await fileToolHost(1);
  host = made.host;
  tool = made.tools[0]!;
  await host.putLink({ source: tool.id, interface: 'wasi:filesystem/preopens', target: made.providerId, config: { path: given, mode: 'rw' } });
});

afterAll(async () => {
  await host?.shutdown();
  await rm(dir, { recursive: true, force: true });
});

describe('an actor trying to leave its preopened directory', () => {
  it('is refused by `..` and by absolute paths', async () => {
    for (const path of ['../outside/secret.txt', 'sub/../../outside/secret.txt', '/outside/secret.txt', join(outside, 'secret.txt')]) {
      expect(await tool.call('read', path), path).toEqual({ ok: false, err: 'not-permitted' });
    }
    expect(await tool.call('write', '../outside/planted.txt', new Uint8Array([1]))).toEqual({ ok: false, err: 'not-permitted' });
    expect(await tool.call('names', '..')).toEqual({ ok: false, err: 'not-permitted' });
  });

  it('is refused by a symlink to an absolute path or one that leads up and out, reading or writing', async () => {
    for (const path of ['absolute-out/secret.txt', 'relative-out/secret.txt', 'sub/file-out']) {
      expect(await tool.call('read', path), path).toEqual({ ok: false, err: 'not-permitted' });
    }
    expect(await tool.call('write', 'absolute-out/planted.txt', new Uint8Array([1]))).toEqual({ ok: false, err: 'not-permitted' });
    expect(await tool.call('write', 'sub/file-out', new Uint8Array([1]))).toEqual({ ok: false, err: 'not-permitted' });
    expect(await tool.call('names', 'relative-out')).toEqual({ ok: false, err: 'not-permitted' });
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('follows a symlink that stays inside, and stops a symlink loop', async () => {
    expect(new TextDecoder().decode((await tool.call('read', 'inner/deep.txt') as { value: Uint8Array }).value)).toBe('deep');
    expect(await tool.call('read', 'loop-a')).toEqual({ ok: false, err: 'loop' });
  });

  it('is refused a path with a NUL', async () => {
    expect(await tool.call('read', 'sub/deep.txt\0../../outside/secret.txt')).toEqual({ ok: false, err: 'invalid' });
  });

  it('cannot make a symlink, nor move one so that its relative target leads elsewhere', () => {
    const root = Descriptor.root(preopenAt(given, true)!);
    expect(() => root.symlinkAt()).toThrow(expect.objectContaining({ payload: 'not-permitted' }));
    // sub/file-out -> ../../outside/secret.txt; moved to the top it would name ../../outside, and a
    // contained link moved down would point elsewhere: the move itself is refused.
    expect(() => root.renameAt('inner', root, 'sub/inner-moved')).toThrow(expect.objectContaining({ payload: 'not-permitted' }));
    expect(existsSync(join(given, 'inner'))).toBe(true);
  });

  it('is given no more than its link: an ro link refuses writes even through a descriptor that asks for them', () => {
    const root = Descriptor.root(preopenAt(given, false)!);
    expect(root.getFlags()).toEqual({ read: true, mutateDirectory: false });
    expect(() => root.openAt({}, 'sub/deep.txt', {}, { read: true, write: true })).toThrow(expect.objectContaining({ payload: 'read-only' }));
    expect(() => root.openAt({}, 'created.txt', { create: true }, { read: true })).toThrow(expect.objectContaining({ payload: 'read-only' }));
    expect(() => root.createDirectoryAt('made')).toThrow(expect.objectContaining({ payload: 'read-only' }));
    const file = root.openAt({}, 'sub/deep.txt', {}, { read: true });
    expect(() => file.writeViaStream(0n)).toThrow(expect.objectContaining({ payload: 'read-only' }));
    expect(() => file.setSize(0n)).toThrow(expect.objectContaining({ payload: 'read-only' }));
    file[Symbol.dispose]();
    expect(existsSync(join(given, 'made'))).toBe(false);
  });
});
