/**
 * V8 sizes a thread's young generation from the machine's memory: unchecked, an actor thread's grew
 * to 128 MB on a 24 GB machine and stayed there, whatever its actors needed. Actor threads cap it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair, signArtifact } from '../../claims/index.ts';
import { defaultPolicy, Host } from '../../host/index.ts';
import { ACTOR_THREAD_YOUNG_GENERATION_MB } from '../../host/actor-thread.ts';
import { pairsComponent } from '../fixtures/wat-components.ts';

const PAIRS = 100_000;
let host: Host | undefined;
afterAll(() => host?.shutdown());

describe("an actor thread's young generation", () => {
  it('stays within its cap while calls churn its heap', async () => {
    const work = await mkdtemp(join(tmpdir(), 'badger-young-'));
    const issuer = generateKeyPair('account');
    host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer.publicKey]), logger: pino({ level: 'silent' }) });
    const signed = await signArtifact(await pairsComponent(), { issuer, subject: generateKeyPair('component'), issuedAt: Math.floor(Date.now() / 1000) - 60, claims: { name: 'pairs', caps: [] } });
    const path = join(work, 'pairs.wasm');
    await writeFile(path, signed.bytes);
    const actor = await host.startActor(path);
    let largest = 0;
    for (let call = 0; call < 60; call++) {
      const result = await host.invoke(actor.id, { kind: 'call', name: 'pairs', args: [PAIRS] });
      if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
      expect((result.value as { ok: unknown[] }).ok).toHaveLength(PAIRS);
      largest = Math.max(largest, (await host.actorStats(actor.id)).youngGenerationBytes);
    }
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(ACTOR_THREAD_YOUNG_GENERATION_MB * 2 ** 20);
  }, 120_000);
});
