import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Link } from '../../host/index.ts';
import { openLatticeMessaging } from '../../host/lattice/index.ts';
import { messagingContract, messagingProvider } from '../../providers/messaging/index.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';

// An actor chooses the subjects it publishes and requests on: it tries the lattice's own control
// subjects and the server's JetStream API (where it could delete every bucket). An operator's link,
// or a peer's, tries subscriptions that would take in the lattice's traffic or others' replies.
let nats: RunningNats;
let client: NatsConnection;
const provider = messagingProvider({ connect: (url) => openLatticeMessaging(url ?? nats.url) });
const link: Link = { source: 'MACTOR', interface: 'wasmcloud:messaging/consumer', target: 'messaging', name: 'default', config: {} };

beforeAll(async () => {
  nats = await startNatsServer();
  client = await connect({ servers: nats.url });
});

afterAll(async () => {
  await provider.shutdown?.();
  await client?.close();
  await nats?.stop();
});

describe("an actor's messages to the subjects the lattice keeps", () => {
  it('cannot delete a JetStream bucket through the $JS API, nor reach the server\'s $SYS', async () => {
    const bucket = await (await client.jetstream().views.kv('precious')).put('k', new TextEncoder().encode('v'));
    expect(bucket).toBeGreaterThan(0);
    await expect(provider.messaging.publish({ subject: '$JS.API.STREAM.DELETE.KV_precious', body: new Uint8Array() }, link)).rejects.toMatchObject({ value: expect.stringContaining("the NATS server's own API") });
    await expect(provider.messaging.request('$JS.API.STREAM.DELETE.KV_precious', new Uint8Array(), 2000, link)).rejects.toMatchObject({ value: expect.stringContaining('is not for actors') });
    await expect(provider.messaging.request('$SYS.REQ.SERVER.PING', new Uint8Array(), 2000, link)).rejects.toMatchObject({ value: expect.stringContaining('is not for actors') });
    await expect((await client.jetstreamManager()).streams.info('KV_precious')).resolves.toMatchObject({ config: { name: 'KV_precious' } });
  });

  it("cannot publish on the lattice's control subjects, or name them as a reply-to", async () => {
    const heard: string[] = [];
    const spy = client.subscribe('badger.>', { callback: (_error, message) => heard.push(message.subject) });
    await client.flush();
    await expect(provider.messaging.publish({ subject: 'badger.ctl.v1.default.link_put', body: new TextEncoder().encode('{}') }, link)).rejects.toMatchObject({ value: expect.stringContaining("the lattice's own control") });
    await expect(provider.messaging.publish({ subject: 'innocent', body: new Uint8Array(), replyTo: 'badger.ctl.v1.default.stop_host' }, link)).rejects.toMatchObject({ value: expect.stringContaining('is not for actors') });
    await expect(provider.messaging.publish({ subject: 'with space', body: new Uint8Array() }, link)).rejects.toMatchObject({ value: expect.stringContaining('whitespace') });
    await expect(provider.messaging.publish({ subject: 'orders.*', body: new Uint8Array() }, link)).rejects.toMatchObject({ value: expect.stringContaining('has a wildcard') });
    await client.flush();
    expect(heard).toEqual([]);
    spy.unsubscribe();
  });

  it('cannot be subscribed to everything, to the lattice, or to other clients\' replies', async () => {
    const handlerLink = (subscriptions: string): Link => ({ ...link, interface: 'wasmcloud:messaging/handler', config: { subscriptions } });
    provider.attach?.({ reaches: () => true, callExport: async () => ({ ok: undefined }), serveHttp: () => Promise.reject(new Error('no')), logger: undefined as never });
    for (const [subscriptions, reason] of [['>', 'must name its first token'], ['*.orders', 'must name its first token'], ['badger.>', "the lattice's own"], ['_INBOX.>', "other clients' replies"], ['$JS.API.>', "server's own API"]] as const) {
      await expect(provider.linkPut!(handlerLink(subscriptions)), subscriptions).rejects.toThrow(reason);
    }
  });

  it('refuses a peer\'s call whose arguments do not fit the WIT, before NATS', async () => {
    const dispatch = (operation: string, args: unknown[]) => messagingContract.dispatch(provider.messaging as never, 'wasmcloud:messaging/consumer', operation, args, link);
    await expect(dispatch('publish', [{ subject: 'x', body: 'not bytes' }])).rejects.toThrow('no bytes body');
    await expect(dispatch('request', ['x', new Uint8Array(), -5])).rejects.toThrow('the timeout is not a u32');
    await expect(dispatch('request', [{ toString: () => 'x' }, new Uint8Array(), 5])).rejects.toThrow('the subject is not a string');
    expect(dispatch('subscribe', ['>'])).toBeUndefined();
  });
});
