/**
 * A contract's `rememberedImports` (key-value's `open`) are answered in the actor's thread once
 * they succeeded on a link, until a link or a provider changes. What is checked here: the provider
 * sees one open for many calls, a changed link or a failed open is asked again, and the data still
 * comes from the provider each time.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { defaultPolicy, Host, serving, type ActorSummary, type Provider } from '../../host/index.ts';
import { keyValueContract, keyValueProvider } from '../../providers/keyvalue/index.ts';
import { builtActor } from '../actors/built-actors.ts';

/** The key-value provider, counting the opens that reach it. */
function countingStore(id: string): Provider & { opens: string[] } {
  const store = keyValueProvider({ id });
  const opens: string[] = [];
  const handler = { ...store.keyvalue, open: (bucket: string, link: Parameters<typeof store.keyvalue.open>[1]) => (opens.push(bucket), store.keyvalue.open(bucket, link)) };
  return { id, name: 'counting key-value store', serves: [serving(keyValueContract, handler)], opens };
}

let host: Host;
let tool: ActorSummary;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'badger-remembered-'));
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('kv-tool')))!).iss;
  host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  // A host starts an actor only when something here serves its imports.
  await host.startProvider(keyValueProvider());
  tool = await host.startActor(builtActor('kv-tool'));
});
afterAll(() => host.shutdown());

async function call(name: string, ...args: unknown[]): Promise<{ ok?: unknown; err?: unknown }> {
  const result = await host.invoke(tool.id, { kind: 'call', name, args });
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.value as { ok?: unknown; err?: unknown };
}

describe('remembered imports', () => {
  it('lets the provider see one open for many calls on one link, and every get and set', async () => {
    const store = countingStore('remembered-one');
    await host.startProvider(store);
    await host.putLink({ source: tool.id, interface: 'wasi:keyvalue/store', target: store.id, config: { bucket: 'first' } });
    await call('tool.set', 'default', 'k', new TextEncoder().encode('v1'));
    for (let i = 0; i < 5; i++) expect(text((await call('tool.get', 'default', 'k')).ok as Uint8Array)).toBe('v1');
    expect(store.opens).toEqual(['default']);
    await host.stopProvider(store.id);
  });

  it('asks again once the link changed, and reads what the new link names', async () => {
    const store = countingStore('remembered-two');
    await host.startProvider(store);
    await host.putLink({ source: tool.id, interface: 'wasi:keyvalue/store', target: store.id, config: { bucket: 'a' } });
    await call('tool.set', 'default', 'k', new TextEncoder().encode('in a'));
    await host.putLink({ source: tool.id, interface: 'wasi:keyvalue/store', target: store.id, config: { bucket: 'b' } });
    expect(await call('tool.get', 'default', 'k')).toEqual({ ok: undefined });
    expect(store.opens).toEqual(['default', 'default']);
    await host.stopProvider(store.id);
  });

  it('never remembers a failed open', async () => {
    const store = countingStore('remembered-three');
    await host.startProvider(store);
    await host.putLink({ source: tool.id, interface: 'wasi:keyvalue/store', target: store.id, config: { bucket: 'only-default' } });
    for (let i = 0; i < 2; i++) expect((await call('tool.get', 'elsewhere', 'k')).err).toBe('no-such-store');
    expect(store.opens).toEqual(['elsewhere', 'elsewhere']);
    await host.stopProvider(store.id);
  });
});
