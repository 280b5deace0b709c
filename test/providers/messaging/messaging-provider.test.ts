import { readFile } from 'node:fs/promises';
import { connect, type NatsConnection } from 'nats';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken, type PublicKey } from '../../../claims/index.ts';
import type { Host } from '../../../host/index.ts';
import { openLatticeMessaging } from '../../../host/lattice/index.ts';
import { messagingProvider } from '../../../providers/messaging/index.ts';
import { builtActor } from '../../actors/built-actors.ts';
import { eventually } from '../../fixtures/lattice-host.ts';
import { startNatsServer, type RunningNats } from '../../fixtures/nats-server.ts';
import { testHost } from '../../fixtures/shared-thread-host.ts';
import { trappingMessageHandlerComponent } from '../../fixtures/wat-components.ts';

const HANDLER = 'wasmcloud:messaging/handler';
const CONSUMER = 'wasmcloud:messaging/consumer';
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

let nats: RunningNats;
let client: NatsConnection;
let echoIssuer: PublicKey;
const hosts: Host[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  client = await connect({ servers: nats.url });
  echoIssuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('nats-echo')))!).iss;
});

afterAll(async () => {
  for (const host of hosts) await host.shutdown();
  await client?.close();
  await nats?.stop();
});

/** A host with the messaging provider on the test's NATS server, and nats-echo (the same signed file on every host) subscribed to `subscriptions`. */
async function echoHost(subscriptions: string, logLines: string[] = []) {
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });
  const test = await testHost({ logger }, [echoIssuer]);
  hosts.push(test.host);
  const provider = messagingProvider({ connect: (url) => openLatticeMessaging(url ?? nats.url) });
  await test.host.startProvider(provider);
  const echo = await test.host.startActor(builtActor('nats-echo'));
  await test.host.putLink({ source: echo.id, interface: CONSUMER, target: provider.id, config: {} });
  await test.host.putLink({ source: echo.id, interface: HANDLER, target: provider.id, config: { subscriptions } });
  return { ...test, provider, echo };
}

describe('the messaging provider with nats-echo, on a real nats-server', () => {
  it("answers a nats.js client's request through the actor", async () => {
    await echoHost('echo.>');
    const answer = await client.request('echo.hello', encode('hi there'), { timeout: 10_000 });
    expect(decode(answer.data)).toBe('hi there');
  });

  it('hands each of 1,000 published messages to exactly one of two hosts running the actor', async () => {
    await echoHost('fanout.*');
    await echoHost('fanout.*');
    const seen = new Map<string, number>();
    const replies = client.subscribe('fanout-replies', {
      callback: (_error, message) => {
        const body = decode(message.data);
        seen.set(body, (seen.get(body) ?? 0) + 1);
      },
    });
    await client.flush();
    for (let i = 0; i < 1000; i++) client.publish(`fanout.${i % 7}`, encode(`m${i}`), { reply: 'fanout-replies' });
    await client.flush();
    // A thousand handler calls on two cores busy with other suites can take longer than the usual 5 s.
    expect(await eventually(() => seen.size === 1000, 400)).toBe(true);
    // A second delivery would come right behind the first: give it the time to.
    await client.flush();
    await new Promise((resolve) => setTimeout(resolve, 500));
    replies.unsubscribe();
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(seen.size).toBe(1000);
  });

  it('logs a dead letter for each message whose handler traps, and goes on with them and with other actors', async () => {
    const lines: string[] = [];
    const { host, provider, signed } = await echoHost('steady.>', lines);
    const trapper = await host.startActor(await signed('trapper', await trappingMessageHandlerComponent(), [HANDLER]));
    await host.putLink({ source: trapper.id, interface: HANDLER, target: provider.id, config: { subscriptions: 'doomed.>' } });
    await client.flush();
    for (let i = 0; i < 5; i++) client.publish(`doomed.${i}`, encode(`d${i}`));
    await client.flush();
    const deadLetters = () => lines.map((line) => JSON.parse(line) as { deadLetter?: { actor: string; subject: string; reason: string } }).filter((entry) => entry.deadLetter);
    expect(await eventually(() => deadLetters().length === 5)).toBe(true);
    expect(deadLetters().map((entry) => entry.deadLetter!.subject).sort()).toEqual(['doomed.0', 'doomed.1', 'doomed.2', 'doomed.3', 'doomed.4']);
    expect(deadLetters()[0]!.deadLetter).toMatchObject({ actor: trapper.id, reason: expect.stringMatching(/ACTOR_TRAPPED/) });
    // The actor that traps is still called, and the other still answers.
    client.publish('doomed.again', encode('x'));
    expect(await eventually(() => deadLetters().length === 6)).toBe(true);
    expect(decode((await client.request('steady.one', encode('still here'), { timeout: 10_000 })).data)).toBe('still here');
  });

  it("sends an actor's request to whoever answers, says when no one does, and refuses a link it cannot serve", async () => {
    const { host, provider, echo } = await echoHost('own.>');
    const consumerLink = host.links.query({ source: echo.id, interface: CONSUMER })[0]!;
    const responder = client.subscribe('service.upper', { callback: (_error, message) => message.respond(encode(decode(message.data).toUpperCase())) });
    await client.flush();
    const answer = await provider.messaging.request('service.upper', encode('quiet'), 5000, consumerLink);
    expect(decode(answer.body)).toBe('QUIET');
    responder.unsubscribe();
    await expect(provider.messaging.request('service.nobody', encode('?'), 2000, consumerLink)).rejects.toMatchObject({ value: 'no one answers on service.nobody' });
    await expect(host.putLink({ source: echo.id, interface: HANDLER, target: provider.id, config: { subscriptions: 'a..b' } })).rejects.toThrow('has an empty token');
    await expect(host.putLink({ source: echo.id, interface: HANDLER, target: provider.id, config: { subscription: 'a.b' } })).rejects.toThrow('unknown key subscription');
    await expect(host.putLink({ source: echo.id, interface: CONSUMER, target: provider.id, config: { url: 'http://example.com' } })).rejects.toThrow('is not a NATS server URL');
  });
});
