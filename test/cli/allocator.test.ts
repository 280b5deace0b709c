import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedJemalloc, jemallocCandidates, JEMALLOC_INSTALL, planAllocator } from '../../cli/allocator.ts';
import { runCli } from './run-cli.ts';

const JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
/** `found: null` is a machine without jemalloc (undefined would take the default). */
const plan = (args: string[], env: Record<string, string> = {}, found: string | null = JEMALLOC, platform = 'linux') => planAllocator({ platform, args, env, found: found ?? undefined });

describe('the allocator a badger command runs on', () => {
  it('re-executes only the commands that run a host, and keeps what the user preloads', () => {
    expect(plan(['up', '--demo'])).toEqual({ action: 'preload', ldPreload: JEMALLOC });
    expect(plan(['--verbose', 'dev', 'actors-src/hello'])).toEqual({ action: 'preload', ldPreload: JEMALLOC });
    // The background host started by `up --detached` is the one that runs: it makes its own choice.
    expect(plan(['up', '--detached-child'])).toEqual({ action: 'preload', ldPreload: JEMALLOC });
    expect(plan(['up', '--detached', '--json'])).toMatchObject({ action: 'keep' });
    expect(plan(['up', '--help'])).toMatchObject({ action: 'keep' });
    for (const args of [[], ['keys', 'gen', 'user'], ['get', 'hosts'], ['--verbose', 'down'], ['call', 'up']]) expect(plan(args)).toMatchObject({ action: 'keep' });
    expect(plan(['up'], { LD_PRELOAD: '/opt/trace/libtrace.so' })).toEqual({ action: 'preload', ldPreload: `${JEMALLOC}:/opt/trace/libtrace.so` });
    // Already preloaded (this is the re-executed process, or the user's own choice): no loop.
    expect(plan(['up'], { LD_PRELOAD: '/usr/local/lib/libjemalloc.so' })).toMatchObject({ action: 'keep' });
  });

  it('keeps the C library\'s malloc when asked or when jemalloc is missing, and refuses a setting it cannot honour', () => {
    expect(plan(['up'], { BADGER_ALLOCATOR: 'system' })).toEqual({ action: 'keep', why: 'BADGER_ALLOCATOR=system' });
    expect(plan(['up'], {}, null)).toEqual({ action: 'keep', why: 'jemalloc is not installed' });
    expect(plan(['up'], {}, null, 'darwin')).toMatchObject({ action: 'keep' });
    expect(plan(['up'], { BADGER_ALLOCATOR: 'jemalloc' }, null)).toEqual({ action: 'refuse', reason: `BADGER_ALLOCATOR=jemalloc, but libjemalloc.so.2 is not installed: ${JEMALLOC_INSTALL}` });
    expect(plan(['up'], { BADGER_ALLOCATOR: 'jemalloc' }, null, 'darwin')).toMatchObject({ action: 'refuse', reason: expect.stringContaining('for Linux') });
    expect(plan(['up'], { BADGER_ALLOCATOR: 'tcmalloc' })).toEqual({ action: 'refuse', reason: 'BADGER_ALLOCATOR is "tcmalloc": it is jemalloc, system, or unset (jemalloc when installed)' });
    expect(jemallocCandidates('arm64')[0]).toBe('/usr/lib/aarch64-linux-gnu/libjemalloc.so.2');
    expect(jemallocCandidates('x64')[0]).toBe(JEMALLOC);
  });
});

/** The libraries a process has mapped, and the LD_PRELOAD it runs with. */
function loaded(pid: number): { maps: string; ldPreload: string | undefined } {
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  return { maps: readFileSync(`/proc/${pid}/maps`, 'utf8'), ldPreload: environ.find((entry) => entry.startsWith('LD_PRELOAD='))?.slice('LD_PRELOAD='.length) };
}

async function startedHost(env: Record<string, string>): Promise<{ pid: number; home: string }> {
  const home = await mkdtemp(join(tmpdir(), 'badger-allocator-'));
  const up = await runCli(['up', '--detached', '--json'], { BADGER_HOME: home, ...env });
  expect(up.code, up.stderr).toBe(0);
  return { pid: (JSON.parse(up.stdout) as { pid: number }).pid, home };
}

describe('a host started by badger up', () => {
  const jemalloc = installedJemalloc();

  it('runs on jemalloc when it is installed, under the pid it was started with, and keeps a library the user preloads', async () => {
    if (!jemalloc) throw new Error(`jemalloc is not installed, and this test checks that hosts run on it: ${JEMALLOC_INSTALL}`);
    // Any real library will do as the user's own: the one Node's maths comes from.
    const libm = /\s(\/\S*libm\.so\.6)$/m.exec(readFileSync('/proc/self/maps', 'utf8'))?.[1];
    expect(libm).toBeDefined();
    const { pid, home } = await startedHost({ LD_PRELOAD: libm! });
    try {
      const host = loaded(pid);
      expect(host.maps).toContain(jemalloc);
      expect(host.ldPreload).toBe(`${jemalloc}:${libm}`);
    } finally {
      expect((await runCli(['down', '--json'], { BADGER_HOME: home })).code).toBe(0);
    }
  }, 60_000);

  it('runs on the C library\'s malloc with BADGER_ALLOCATOR=system', async () => {
    const { pid, home } = await startedHost({ BADGER_ALLOCATOR: 'system' });
    try {
      expect(loaded(pid).maps).not.toMatch(/libjemalloc/);
    } finally {
      expect((await runCli(['down', '--json'], { BADGER_HOME: home })).code).toBe(0);
    }
  }, 60_000);

  it('refuses an allocator it does not know, with a code, and starts nothing', async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-allocator-'));
    const up = await runCli(['up', '--json'], { BADGER_HOME: home, BADGER_ALLOCATOR: 'tcmalloc' });
    expect(up.code).toBe(1);
    expect(JSON.parse(up.stdout)).toEqual({ ok: false, code: 'CLI_ALLOCATOR', reason: 'BADGER_ALLOCATOR is "tcmalloc": it is jemalloc, system, or unset (jemalloc when installed)' });
    expect((await runCli(['get', 'inventory', '--json'], { BADGER_HOME: home })).code).not.toBe(0);
  }, 60_000);
});
