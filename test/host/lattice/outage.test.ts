import { afterAll, describe, expect, it } from 'vitest';
import { callRemoteProvider, connectLattice, isDown, runNatsServerWith, type NatsProcess } from '../../../host/lattice/index.ts';
import { memberBus } from '../../fixtures/lattice-members.ts';
import { freePort } from '../../fixtures/nats-server.ts';

let server: NatsProcess | undefined;

afterAll(async () => {
  await server?.stop();
});

const link = { source: 'actor', interface: 'wasi:keyvalue/store', name: 'default', target: 'kv-silent', config: {} };

describe('provider calls when the NATS server goes away', () => {
  it('fail when the loss is known, in flight or new, instead of waiting out their 30 s budget', async () => {
    const port = await freePort();
    server = await runNatsServerWith(['-a', '127.0.0.1', '-p', String(port)], '127.0.0.1', port);
    const connection = await connectLattice(`nats://127.0.0.1:${port}`);
    // A provider that takes calls and never answers: only the outage can end a call to it.
    const silent = await connectLattice(`nats://127.0.0.1:${port}`);
    silent.subscribe(`badger.rpc.outage.kv-silent.${link.interface}`, { callback: () => {} });
    await silent.flush();
    const bus = memberBus(connection, 'outage');
    try {
      const inFlight = callRemoteProvider(bus, link, 'get', ['default', 'k'], 30_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await server.stop();
      server = undefined;
      expect(JSON.stringify(await inFlight)).toMatch(/unreachable/);
      // Bounded: the client notices the loss within a moment.
      for (let attempt = 0; attempt < 50 && !isDown(connection); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(isDown(connection)).toBe(true);
      const during = await callRemoteProvider(bus, link, 'get', ['default', 'k'], 30_000);
      expect(JSON.stringify(during)).toMatch(/unreachable: the NATS server is down/);
    } finally {
      await connection.close();
      await silent.close();
    }
  });
});
