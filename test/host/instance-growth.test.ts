/**
 * Linear memory never shrinks: a guest kept warm between calls that leaks (a JavaScript guest that
 * never drops its requests' handles grew by megabytes a minute in the soak bench) would hold ever
 * more of the host. An instance whose memory has outgrown it is replaced after the call it served.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair, signArtifact } from '../../claims/index.ts';
import { defaultPolicy, Host } from '../../host/index.ts';
import { INSTANCE_GROWTH_FLOOR_BYTES, instanceOutgrown } from '../../host/instance-growth.ts';
import { growingComponent } from '../fixtures/wat-components.ts';

const MB = 2 ** 20;
let host: Host | undefined;
afterAll(() => host?.shutdown());

describe('an instance that outgrows itself', () => {
  it('is one whose memory grew by more than its first size and by more than the floor', () => {
    expect(instanceOutgrown({ initialBytes: 9 * MB, bytes: 18 * MB })).toBe(false);
    expect(instanceOutgrown({ initialBytes: 9 * MB, bytes: 9 * MB + INSTANCE_GROWTH_FLOOR_BYTES + 1 })).toBe(true);
    expect(instanceOutgrown({ initialBytes: 64 * MB, bytes: 100 * MB })).toBe(false);
    expect(instanceOutgrown({ initialBytes: 64 * MB, bytes: 129 * MB })).toBe(true);
    // A small guest growing a few pages is left alone.
    expect(instanceOutgrown({ initialBytes: 65_536, bytes: 4 * MB })).toBe(false);
  });

  it('is replaced after its call, and the next call gets a fresh instance', async () => {
    const work = await mkdtemp(join(tmpdir(), 'badger-growth-'));
    const issuer = generateKeyPair('account');
    host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer.publicKey]), logger: pino({ level: 'silent' }) });
    const signed = await signArtifact(await growingComponent(), { issuer, subject: generateKeyPair('component'), issuedAt: Math.floor(Date.now() / 1000) - 60, claims: { name: 'growing', caps: [] } });
    const path = join(work, 'growing.wasm');
    await writeFile(path, signed.bytes);
    const actor = await host.startActor(path);
    const run = async (pages: number) => {
      const result = await host!.invoke(actor.id, { kind: 'call', name: 'run', args: [pages] });
      if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
      return (result.value as { ok: number }).ok;
    };
    // 4 MB a call: the instance is kept while it grows by up to 16 MB…
    const kept = [];
    for (let call = 0; call < 4; call++) kept.push(await run(64));
    expect(kept).toEqual([1, 2, 3, 4]);
    // …the fifth call takes it past the floor; it answers, then goes, and the next call is a fresh instance's first.
    expect(await run(64)).toBe(5);
    expect(await run(0)).toBe(1);
    expect(await run(0)).toBe(2);
  });
});
