/**
 * A Pi with no real-time clock: one host of a locked lattice runs 10 minutes ahead. Calls and link
 * events still pass both ways, since deadlines travel as budgets and each host learns the other's
 * clock offset in their handshake; a stale message is still refused.
 */
import { decode } from '@msgpack/msgpack';
import { readFile } from 'node:fs/promises';
import { connect, type Msg, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { callRemoteProvider } from '../../host/lattice/index.ts';
import { staleness } from '../../host/lattice/message-auth.ts';
import { keyValueProvider } from '../../providers/keyvalue/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { eventually, joinedHost, type JoinedHost } from '../fixtures/lattice-host.ts';
import { latticeKeys } from '../fixtures/lattice-members.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';

const LATTICE = 'skewed';
const KV = 'wasi:keyvalue/store';
const TEN_MINUTES = 10 * 60_000;

let nats: RunningNats;
let eavesdropper: NatsConnection;
let laptop: JoinedHost;
let pi: JoinedHost;

beforeAll(async () => {
  nats = await startNatsServer();
  eavesdropper = await connect({ servers: nats.url });
  const keys = latticeKeys();
  const issuers = [decodeClaimsToken(readTopLevelToken(await readFile(builtActor('kv-tool')))!).iss];
  laptop = await joinedHost(nats.url, LATTICE, { keys, issuers });
  pi = await joinedHost(nats.url, LATTICE, { keys, issuers, clock: () => Date.now() + TEN_MINUTES });
  await pi.host.startProvider(keyValueProvider({ id: 'kv-pi' }));
  await laptop.host.startProvider(keyValueProvider({ id: 'kv-laptop' }));
}, 60_000);

afterAll(async () => {
  for (const member of [laptop, pi]) {
    await member?.membership.leave();
    await member?.host.shutdown();
  }
  await eavesdropper?.close();
  await nats?.stop();
});

/** The next message on `subject`, once the server has the subscription. */
async function next(subject: string): Promise<{ readonly message: Promise<Msg> }> {
  const message = new Promise<Msg>((resolve) => eavesdropper.subscribe(subject, { max: 1, callback: (_error, seen) => resolve(seen) }));
  await eavesdropper.flush();
  // Wrapped: an async function returning the promise itself would wait for the message.
  return { message };
}

describe('a host whose clock is 10 minutes off', () => {
  it('serves calls from a host with the right time, which send their deadline as a budget', async () => {
    const link = await laptop.host.putLink({ source: 'laptop-actor', interface: KV, target: 'kv-pi', config: { bucket: 'shared' } });
    // The link event from the laptop is taken by the Pi, whose clock disagrees.
    expect(await eventually(() => pi.host.links.resolve('laptop-actor', KV) !== undefined)).toBe(true);
    const sent = await next(`badger.rpc.${LATTICE}.kv-pi.${KV}`);
    const set = await callRemoteProvider(laptop.membership.bus, link, 'set', ['default', 'greeting', new TextEncoder().encode('hi')], 2000);
    expect(set && 'ok' in set).toBe(true);
    const wire = decode((await sent.message).data) as Record<string, unknown>;
    expect(wire).toMatchObject({ budgetMs: 2000 });
    expect(wire).not.toHaveProperty('deadline');
    const got = await callRemoteProvider(laptop.membership.bus, link, 'get', ['default', 'greeting'], 2000);
    expect(new TextDecoder().decode((got as { ok: Uint8Array }).ok)).toBe('hi');
  });

  it('calls a host with the right time, whose link events it takes too', async () => {
    const link = await pi.host.putLink({ source: 'pi-actor', interface: KV, target: 'kv-laptop', config: {} });
    expect(await eventually(() => laptop.host.links.resolve('pi-actor', KV) !== undefined)).toBe(true);
    const set = await callRemoteProvider(pi.membership.bus, link, 'set', ['default', 'k', new Uint8Array([7])], 2000);
    expect(set && 'ok' in set).toBe(true);
    expect(laptop.refused.filter(({ reason }) => /clock|sent .* ago/.test(reason))).toEqual([]);
  });

  it('still refuses a message older than the window, by the sender\'s clock as the receiver learned it', () => {
    const now = 1_800_000_000_000;
    // The sender runs 10 minutes ahead; its fresh message is fresh, one from 2 minutes before is not.
    expect(staleness(now + TEN_MINUTES, now, TEN_MINUTES)).toBeUndefined();
    expect(staleness(now + TEN_MINUTES - 120_000, now, TEN_MINUTES)).toMatch(/sent 120 s ago/);
    expect(staleness(now + TEN_MINUTES, now, 0)).toMatch(/ahead/);
  });
});
