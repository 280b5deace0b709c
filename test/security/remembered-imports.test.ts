/**
 * An actor's thread answers a remembered import (key-value's `open`) itself once it succeeded. The
 * attack: open a bucket while linked, then keep using it after the operator took the access away
 * (the link deleted, or its provider stopped), hoping the thread's memory still says yes. A
 * change bumps the routing generation, so the open is asked again, and a kept read (a get, see
 * kept-reads.test.ts) is dropped with it. Either way every call after the change must fail.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { defaultPolicy, Host, type ActorSummary } from '../../host/index.ts';
import { keyValueProvider } from '../../providers/keyvalue/index.ts';
import { builtActor } from '../actors/built-actors.ts';

let host: Host;
let tool: ActorSummary;

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'badger-revoked-'));
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('kv-tool')))!).iss;
  host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  await host.startProvider(keyValueProvider());
  tool = await host.startActor(builtActor('kv-tool'));
});
afterAll(() => host.shutdown());

async function get(key: string): Promise<{ ok?: unknown; err?: unknown }> {
  const result = await host.invoke(tool.id, { kind: 'call', name: 'tool.get', args: ['default', key] });
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.value as { ok?: unknown; err?: unknown };
}

describe('access taken away from an actor that opened a bucket', () => {
  it('is gone at once when its link is deleted', async () => {
    const store = keyValueProvider({ id: 'revoked-by-link' });
    await host.startProvider(store);
    await host.putLink({ source: tool.id, interface: 'wasi:keyvalue/store', target: store.id, config: { bucket: 'private' } });
    await (await store.memory.bucket('private')).set('secret', new TextEncoder().encode('s3cret'));
    expect(new TextDecoder().decode((await get('secret')).ok as Uint8Array)).toBe('s3cret');

    await host.deleteLink(tool.id, 'wasi:keyvalue/store');
    const after = await get('secret');
    expect(after.ok).toBeUndefined();
    expect(String(after.err)).toMatch(/no link/);
    await host.stopProvider(store.id);
  });

  it('is gone at once when the provider the link names stops', async () => {
    const store = keyValueProvider({ id: 'revoked-by-stop' });
    await host.startProvider(store);
    await host.putLink({ source: tool.id, interface: 'wasi:keyvalue/store', target: store.id, config: { bucket: 'private' } });
    await (await store.memory.bucket('private')).set('secret', new TextEncoder().encode('s3cret'));
    expect(new TextDecoder().decode((await get('secret')).ok as Uint8Array)).toBe('s3cret');

    await host.stopProvider(store.id);
    const after = await get('secret');
    expect(after.ok).toBeUndefined();
    expect(String(after.err)).toMatch(/not running/);
  });
});
