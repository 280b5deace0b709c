import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, requestLocalHost, startDaemon, type DaemonLattice } from '../../host/index.ts';
import { keyValueDescriptor } from '../../providers/keyvalue/index.ts';

describe('a daemon started without the CLI', () => {
  it('answers on its socket, starts providers by kind, hands its events to its lattice port, and stops when asked', async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-daemon-'));
    const socketPath = join(home, 'host.sock');
    const published: string[] = [];
    let left = false;
    const lattice: DaemonLattice = { publish: (type) => void published.push(type), leave: async () => void (left = true) };
    const daemon = await startDaemon({
      home,
      socketPath,
      policy: defaultPolicy([]),
      labels: { room: 'lab' },
      logger: pino({ level: 'silent' }),
      providers: [keyValueDescriptor],
      joinLattice: async () => lattice,
    });
    expect(daemon.lattice).toBe(lattice);
    expect(await requestLocalHost(socketPath, { op: 'ping' })).toMatchObject({ ok: true, data: { labels: { room: 'lab' }, ready: false } });
    daemon.markReady();
    expect(await requestLocalHost(socketPath, { op: 'ping' })).toMatchObject({ ok: true, data: { ready: true } });

    expect(await requestLocalHost(socketPath, { op: 'start-provider', kind: 'keyvalue', id: 'kv-lab' })).toMatchObject({ ok: true, data: { id: 'kv-lab' } });
    expect(daemon.host.inventory().providers.map((provider) => provider.id)).toEqual(['kv-lab']);
    expect(published).toContain('provider_started');
    expect(await requestLocalHost(socketPath, { op: 'start-provider', kind: 'teapot' })).toMatchObject({ ok: false, code: 'PROVIDER_NOT_FOUND' });
    // Without a reconciler, application requests are refused with a code, not a crash.
    expect(await requestLocalHost(socketPath, { op: 'app-list' })).toMatchObject({ ok: false, code: 'HOST_NOT_RUNNING' });

    expect(await requestLocalHost(socketPath, { op: 'shutdown' })).toMatchObject({ ok: true });
    await daemon.shutdownRequested;
    await daemon.stop();
    expect(left).toBe(true);
    await expect(requestLocalHost(socketPath, { op: 'ping' })).rejects.toMatchObject({ code: 'HOST_NOT_RUNNING' });
  });

  it('leaves its lattice and frees its socket when the reconciler cannot start', async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-daemon-'));
    const socketPath = join(home, 'host.sock');
    let left = false;
    const starting = startDaemon({
      home,
      socketPath,
      policy: defaultPolicy([]),
      logger: pino({ level: 'silent' }),
      joinLattice: async () => ({ publish: () => {}, leave: async () => void (left = true) }),
      applications: () => {
        throw new Error('no application store');
      },
    });
    await expect(starting).rejects.toThrow('no application store');
    expect(left).toBe(true);
    await expect(requestLocalHost(socketPath, { op: 'ping' })).rejects.toMatchObject({ code: 'HOST_NOT_RUNNING' });
  });
});
