/**
 * Code, not signatures: the same component signed for two actors (two component keys) is
 * transpiled once and compiled once, and its compiled code is let go when the last actor running
 * it stops.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken } from '../../claims/index.ts';
import { defaultPolicy, Host, type Invocation } from '../../host/index.ts';
import { helloWatVariant } from '../fixtures/http-wat-actors.ts';

const PLAIN = { imports: '', code: '' };
const GET: Invocation = { kind: 'http', request: { method: 'GET', pathWithQuery: '/', scheme: 'http', authority: 'test', headers: [], body: new Uint8Array() } };
const signedHash = async (path: string) => decodeClaimsToken(readTopLevelToken(new Uint8Array(await readFile(path)))!).wascap.hash;

describe('actors that run the same code', () => {
  it('share one transpile and one compile, whatever signed them, and the compiled code goes with the last of them', async () => {
    const work = await mkdtemp(join(tmpdir(), 'badger-shared-code-'));
    const issuer = generateKeyPair('account');
    const first = await helloWatVariant(join(work, 'a'), 'twin', PLAIN, { issuer, subject: generateKeyPair('component') });
    const second = await helloWatVariant(join(work, 'b'), 'twin', PLAIN, { issuer, subject: generateKeyPair('component') });
    expect(await readFile(first)).not.toEqual(await readFile(second));
    expect(await signedHash(first)).toBe(await signedHash(second));

    const host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer.publicKey]), logger: pino({ level: 'silent' }) });
    try {
      const one = await host.startActor(first);
      const two = await host.startActor(second);
      expect(one.id).not.toBe(two.id);
      expect(one.transpiled).toBe(true);
      expect(two.transpiled).toBe(false);
      expect(host.compiledCodes).toBe(1);
      // Another memory limit is other compiled code: the limit is written into the module.
      const three = await helloWatVariant(join(work, 'c'), 'twin', PLAIN, { issuer, subject: generateKeyPair('component') });
      const capped = await host.startActor(three, { memoryLimitMb: 64 });
      expect(host.compiledCodes).toBe(2);
      for (const actor of [one, two, capped]) expect(await host.invoke(actor.id, GET)).toMatchObject({ ok: true, value: { status: 200 } });

      await host.stopActor(one.id);
      expect(host.compiledCodes).toBe(2);
      await host.stopActor(two.id);
      expect(host.compiledCodes).toBe(1);
      await host.stopActor(capped.id);
      expect(host.compiledCodes).toBe(0);
    } finally {
      await host.shutdown();
    }
  }, 60_000);
});
