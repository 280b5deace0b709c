import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, StringCodec } from 'nats';
import { describe, expect, it } from 'vitest';
import { cloudEvent, controlSubject, controlSubscriptions, eventSubject, hubConfig, latticeKv, leafConfig, NoJetStreamError, rpcSubject, runNatsServer, runNatsServerWith } from '../../../host/lattice/index.ts';
import { freePort } from '../../fixtures/nats-server.ts';

describe('lattice subjects and events', () => {
  it('names control, event and RPC subjects under the badger prefix, and refuses names that would break them', () => {
    expect(controlSubject('default', 'ping')).toBe('badger.ctl.v1.default.ping');
    expect(controlSubject('home', 'start-actor', 'NABC')).toBe('badger.ctl.v1.home.start-actor.NABC');
    expect(controlSubscriptions('home', 'NABC')).toEqual(['badger.ctl.v1.home.*', 'badger.ctl.v1.home.*.NABC']);
    expect(eventSubject('home', 'actor_started')).toBe('badger.evt.home.actor_started');
    expect(rpcSubject('home', 'VKEY', 'wasi:keyvalue/store')).toBe('badger.rpc.home.VKEY.wasi:keyvalue/store');
    expect(() => controlSubject('my lattice', 'ping')).toThrow(/lattice name "my lattice"/);
    expect(() => controlSubject('home', 'ping', 'a.b')).toThrow(/host id "a.b"/);
    expect(() => rpcSubject('home', 'V*', 'x')).toThrow(/provider id/);
  });

  it('wraps events as CloudEvents 1.0', () => {
    expect(cloudEvent('host_heartbeat', 'NHOST', { uptime: 5 }, 'id-1', new Date(0))).toEqual({
      specversion: '1.0',
      id: 'id-1',
      source: 'NHOST',
      type: 'dev.awesome-badger.lattice.host_heartbeat',
      time: '1970-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      data: { uptime: 5 },
    });
  });
});

describe('nats-server topologies', () => {
  it('joins a leaf node to a hub: a message published on the leaf reaches a subscriber on the hub', async () => {
    const [hubPort, leafPort, localPort] = [await freePort(), await freePort(), await freePort()];
    const hub = await runNatsServer(hubConfig({ host: '127.0.0.1', port: hubPort, leafPort, storeDir: await mkdtemp(join(tmpdir(), 'badger-hub-')) }), '127.0.0.1', hubPort);
    const leaf = await runNatsServer(leafConfig({ host: '127.0.0.1', port: localPort, remoteUrls: [`nats-leaf://127.0.0.1:${leafPort}`] }), '127.0.0.1', localPort);
    const onHub = await connect({ servers: hub.url });
    const onLeaf = await connect({ servers: leaf.url });
    try {
      const codec = StringCodec();
      const received: string[] = [];
      const subscription = onHub.subscribe('badger.test.hello');
      void (async () => {
        for await (const message of subscription) received.push(codec.decode(message.data));
      })();
      await onHub.flush();
      // The leaf learns of the hub's interest once its link is up: publish until it arrives (bounded).
      for (let attempt = 0; attempt < 100 && received.length === 0; attempt++) {
        onLeaf.publish('badger.test.hello', codec.encode(`from the leaf ${attempt}`));
        await onLeaf.flush();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(received[0]).toMatch(/^from the leaf \d+$/);

      // The hub's JetStream, from the leaf (which has none), by the hub's domain: one bucket, seen from both.
      const fromLeaf = await latticeKv(onLeaf, 'topology')();
      await fromLeaf.put('greeting', codec.encode('hello from the leaf'));
      const fromHub = await latticeKv(onHub, 'topology')();
      expect(codec.decode((await fromHub.get('greeting'))!.value)).toBe('hello from the leaf');
    } finally {
      await onHub.close();
      await onLeaf.close();
      await leaf.stop();
      await hub.stop();
    }
  });

  it('says when no JetStream answers, here or through a leaf', async () => {
    const port = await freePort();
    const plain = await runNatsServerWith(['-a', '127.0.0.1', '-p', String(port)], '127.0.0.1', port);
    const connection = await connect({ servers: plain.url });
    try {
      await expect(latticeKv(connection, 'nothing')()).rejects.toThrow(NoJetStreamError);
    } finally {
      await connection.close();
      await plain.stop();
    }
  });

  it('says how to install nats-server when it is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(runNatsServer('port: 1\n', '127.0.0.1', 1)).rejects.toThrow(/apt-get install -y nats-server.*brew install nats-server/);
    } finally {
      process.env.PATH = path;
    }
  });
});
