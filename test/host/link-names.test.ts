import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../claims/index.ts';
import { defaultPolicy, Host } from '../../host/index.ts';
import { keyValueProvider } from '../../providers/keyvalue/index.ts';
import { buildActor, loadActorProject } from '../../toolchain/index.ts';

const TWO_STORES = fileURLToPath(new URL('../fixtures/actors/two-stores/', import.meta.url));
const STORE = 'wasi:keyvalue/store';

let host: Host;
let actor: string;
// Each export returns a WIT result: the invocation's value is `{ ok }` or `{ err }`.
const call = async (name: string, ...args: string[]) => {
  const outcome = await host.invoke(actor, { kind: 'call', name: `notes.${name}`, args });
  if (!outcome.ok) throw new Error(`notes.${name} failed: ${outcome.code} ${outcome.message}`);
  return outcome.value as { ok?: unknown; err?: string };
};

beforeAll(async () => {
  const issuer = generateKeyPair('account');
  const built = await buildActor(await loadActorProject(TWO_STORES), { issuer, subject: generateKeyPair('component') });
  host = new Host({ cacheDir: await mkdtemp(join(tmpdir(), 'badger-link-names-')), policy: defaultPolicy([issuer.publicKey]), logger: pino({ level: 'silent' }) });
  await host.startProvider(keyValueProvider({ id: 'kv-cache' }));
  await host.startProvider(keyValueProvider({ id: 'kv-secrets' }));
  actor = (await host.startActor(built.output)).id;
  await host.putLink({ source: actor, interface: STORE, target: 'kv-cache', config: {} });
  await host.putLink({ source: actor, interface: STORE, name: 'secrets', target: 'kv-secrets', config: {} });
}, 180_000);

afterAll(async () => {
  await host?.shutdown();
});

describe('an actor with two links for one interface', () => {
  it('writes and reads over the link it names with wasmcloud:bus/lattice set-link-name', async () => {
    expect(await call('put', 'secrets', 'password', 'hunter2')).not.toHaveProperty('err');
    expect(await call('put', 'default', 'password', 'not telling')).not.toHaveProperty('err');
    expect(await call('get', 'secrets', 'password')).toEqual({ ok: 'hunter2' });
    expect(await call('get', 'default', 'password')).toEqual({ ok: 'not telling' });
  });

  it('starts each invocation on the default link, whatever the last one chose', async () => {
    expect(await call('put', 'secrets', 'only-secret', 'x')).not.toHaveProperty('err');
    // `peek` reads without choosing: it goes over `default`, where the key was never written.
    expect(await call('peek', 'only-secret')).toEqual({ ok: undefined });
    expect(await call('peek', 'password')).toEqual({ ok: 'not telling' });
  });

  it('answers a name with no link with the store\'s own error', async () => {
    expect((await call('get', 'archive', 'password')).err).toMatch(/link name "archive"/);
  });
});
