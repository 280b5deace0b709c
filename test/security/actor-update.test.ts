/**
 * `update-actor` swaps a running actor's code. A component key is public, so anyone who may start
 * actors could sign code that claims it: only the account that signed the running version may
 * replace it, an untrusted one is refused by the policy, and a malformed request is refused by the
 * schema. The actor keeps serving through every refusal.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../claims/index.ts';
import { defaultPolicy, handleControlRequest, Host, type HostIdentity } from '../../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../../providers/http-server/index.ts';
import { helloWatVariant } from '../fixtures/http-wat-actors.ts';

const owner = generateKeyPair('account');
const otherTrusted = generateKeyPair('account');
const subject = generateKeyPair('component');
const PLAIN = { imports: '', code: '' };
let work: string;
let host: Host;
let url: string;
let actorId: string;
const identity: HostIdentity = { labels: {}, startedAt: new Date().toISOString(), onShutdown: () => {}, ready: () => true };

const greeting = async () => (await fetch(url)).text();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-update-'));
  host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([owner.publicKey, otherTrusted.publicKey]), logger: pino({ level: 'silent' }) });
  const http = httpServerProvider();
  await host.startProvider(http);
  const actor = await host.startActor(await helloWatVariant(join(work, 'v1'), 'owned', PLAIN, { issuer: owner, subject }));
  actorId = actor.id;
  await host.putLink({ source: actor.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
  url = `http://${http.addresses()[0]!.address}/`;
}, 60_000);

afterAll(async () => {
  await host?.shutdown();
});

describe('update-actor', () => {
  it('refuses code for the same component key signed by another account, even a trusted one', async () => {
    const hijack = await helloWatVariant(join(work, 'hijack'), 'owned', PLAIN, { issuer: otherTrusted, subject }, 'http-actor', 'Owned by somebody else!!!!');
    await expect(host.updateActor(hijack)).rejects.toMatchObject({ code: 'ACTOR_UPDATE_REFUSED', message: expect.stringContaining(otherTrusted.publicKey) });
    expect(await greeting()).toBe('Hello from awesome-badger!\n');
  });

  it('refuses code signed by an account the policy does not trust', async () => {
    const untrusted = await helloWatVariant(join(work, 'untrusted'), 'owned', PLAIN, { issuer: generateKeyPair('account'), subject }, 'http-actor', 'Owned by somebody else!!!!');
    await expect(host.updateActor(untrusted)).rejects.toMatchObject({ code: 'POLICY_ISSUER_DENIED' });
    expect(await greeting()).toBe('Hello from awesome-badger!\n');
  });

  it('refuses malformed requests by the schema, from any transport', async () => {
    for (const request of [{ op: 'update-actor' }, { op: 'update-actor', location: '' }, { op: 'update-actor', location: 'x'.repeat(5000) }, { op: 'update-actor', location: 'a.wasm', maxInstances: 3 }]) {
      expect(await handleControlRequest(host, identity, request)).toMatchObject({ ok: false, code: 'CONTROL_MALFORMED' });
    }
    expect(await greeting()).toBe('Hello from awesome-badger!\n');
  });

  it('takes the next version from the account that signed the running one', async () => {
    const next = await helloWatVariant(join(work, 'v2'), 'owned', PLAIN, { issuer: owner, subject }, 'http-actor', 'Hello from version two!!!!');
    expect(await handleControlRequest(host, identity, { op: 'update-actor', location: next })).toMatchObject({ ok: true, data: { id: actorId } });
    let answer = '';
    for (let attempt = 0; attempt < 20 && answer !== 'Hello from version two!!!!\n'; attempt++) answer = await greeting();
    expect(answer).toBe('Hello from version two!!!!\n');
  });
});
