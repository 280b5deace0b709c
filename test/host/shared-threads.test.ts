/**
 * Many actors on few threads: an idle instance is dropped and made again, an actor called by a
 * co-tenant that waits on it runs elsewhere, and `--isolated` keeps an actor off the shared threads.
 * What an attacking co-tenant can do is in test/security/co-tenants.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../host/index.ts';
import { eventually } from '../fixtures/lattice-host.ts';
import { call, testHost } from '../fixtures/shared-thread-host.ts';
import { greeterCallerComponent, greeterComponent, tallyComponent } from '../fixtures/wat-components.ts';

let running: Host | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

describe('actors on shared threads', () => {
  it('scale to zero: an idle instance is dropped, and the next call makes a new one', async () => {
    const { host, signed } = await testHost();
    running = host;
    const tally = await host.startActor(await signed('tally', await tallyComponent()), { idleMs: 200 });
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 2 } });
    expect((await host.actorStats(tally.id)).instances).toBe(1);
    expect(await eventually(async () => (await host.actorStats(tally.id)).instances === 0)).toBe(true);
    // A cold start: a fresh instance, counting from 1 again.
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect((await host.actorStats(tally.id)).instances).toBe(1);
  });

  it('an actor called by a co-tenant that waits on it runs elsewhere, rather than wait for the thread that waits on it', async () => {
    const { host, signed } = await testHost({ actorThreads: 1 });
    running = host;
    const greeter = await host.startActor(await signed('greeter', await greeterComponent()));
    const caller = await host.startActor(await signed('caller', await greeterCallerComponent(), ['example:greeter/greet']), { deadlineMs: 2000 });
    await host.putLink({ source: caller.id, interface: 'example:greeter/greet', target: greeter.id });
    for (const n of [1, 2, 3]) expect(await host.invoke(caller.id, call('run', n))).toEqual({ ok: true, value: { ok: 2 * n } });
  });

  it('--isolated: threads of its own, and none of the shared ones started', async () => {
    const { host, signed } = await testHost();
    running = host;
    const alone = await host.startActor(await signed('alone', await tallyComponent()), { isolated: true, maxInstances: 3 });
    expect(await host.invoke(alone.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect(host.inventory().actors.find((actor) => actor.id === alone.id)).toMatchObject({ isolated: true });
    expect(host.actorThreads.started).toBe(0);
  });
});
