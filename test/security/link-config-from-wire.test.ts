/**
 * Even on an unlocked lattice, a provider takes a link's config only from the link it holds (put
 * through the control interface or a link event), never from the call: a call cannot aim a file
 * store at a directory of its choosing.
 */
import { decode, encode } from '@msgpack/msgpack';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { keyValueProvider } from '../../providers/keyvalue/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { joinedHost, type JoinedHost } from '../fixtures/lattice-host.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';

const LATTICE = 'open';
const KV = 'wasi:keyvalue/store';
let nats: RunningNats;
let client: NatsConnection;
let member: JoinedHost;

beforeAll(async () => {
  nats = await startNatsServer();
  client = await connect({ servers: nats.url });
  member = await joinedHost(nats.url, LATTICE, { issuers: [decodeClaimsToken(readTopLevelToken(await readFile(builtActor('kv-tool')))!).iss] });
  await member.host.startProvider(keyValueProvider({ id: 'kv' }));
  await member.host.putLink({ source: 'held-actor', interface: KV, target: 'kv', config: { bucket: 'held' } });
}, 60_000);

afterAll(async () => {
  await member?.membership.leave();
  await member?.host.shutdown();
  await client?.close();
  await nats?.stop();
});

const call = async (link: object, operation: string, args: unknown[]) =>
  decode((await client.request(`badger.rpc.${LATTICE}.kv.${KV}`, encode({ operation, args, link, budgetMs: 1000 }), { timeout: 2000 })).data) as Record<string, unknown>;

describe('a provider on an unlocked lattice', () => {
  it('serves a call for a link it holds with that link\'s config, whatever config the call carries', async () => {
    const where = join(await mkdtemp(join(tmpdir(), 'badger-wire-config-')), 'planted');
    const answer = await call({ source: 'held-actor', interface: KV, name: 'default', config: { backend: 'file', path: where } }, 'set', ['default', 'k', new Uint8Array([1])]);
    expect(answer).toHaveProperty('ok');
    await expect(stat(where)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a call for a link it does not hold with the interface\'s own error, and creates nothing', async () => {
    const where = join(await mkdtemp(join(tmpdir(), 'badger-wire-config-')), 'planted');
    const answer = await call({ source: 'stranger', interface: KV, name: 'default', config: { backend: 'file', path: where } }, 'set', ['default', 'k', new Uint8Array([1])]);
    expect(answer).toEqual({ err: expect.objectContaining({ tag: expect.any(String) }) });
    expect(JSON.stringify(answer)).toContain('holds no link');
    await expect(stat(where)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('answers a malformed call with a coded failure', async () => {
    expect(await call({ source: 'held-actor' }, 'get', ['default', 'k'])).toMatchObject({ code: 'CONTROL_MALFORMED', failed: expect.stringContaining('names its link') });
  });
});
