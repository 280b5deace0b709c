/**
 * V8 sizes a thread's young generation from the machine's memory: unchecked, an actor thread's grew
 * to 128 MB on a 24 GB machine and stayed there, whatever its actors needed. Actor threads cap it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Host } from '../../host/index.ts';
import { ACTOR_THREAD_YOUNG_GENERATION_MB } from '../../host/actor-thread.ts';
import { call, testHost } from '../fixtures/shared-thread-host.ts';
import { pairsComponent } from '../fixtures/wat-components.ts';

const PAIRS = 100_000;
let host: Host | undefined;
afterAll(() => host?.shutdown());

describe("an actor thread's young generation", () => {
  it('stays within its cap while calls churn its heap', async () => {
    const test = await testHost();
    host = test.host;
    const actor = await host.startActor(await test.signed('pairs', await pairsComponent()));
    let largest = 0;
    for (let made = 0; made < 60; made++) {
      const result = await host.invoke(actor.id, call('pairs', PAIRS));
      if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
      expect((result.value as { ok: unknown[] }).ok).toHaveLength(PAIRS);
      largest = Math.max(largest, (await host.actorStats(actor.id)).youngGenerationBytes);
    }
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(ACTOR_THREAD_YOUNG_GENERATION_MB * 2 ** 20);
  }, 120_000);
});
