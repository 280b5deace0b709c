/**
 * An actor that attacks the actors it shares a thread with: a guest that never yields, one that
 * traps, one that grows its memory without end. Each costs its co-tenants at most a fresh thread,
 * never a call that had not begun; and the start request cannot ask for more than it may.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../host/index.ts';
import { isRefusal, parseRequest } from '../../host/control/control-schema.ts';
import { call, testHost } from '../fixtures/shared-thread-host.ts';
import { memoryBombComponent, spinningComponent, tallyComponent, trappingComponent } from '../fixtures/wat-components.ts';

let running: Host | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

describe('actors that share a thread with an attacker', () => {
  it('a runaway guest: the co-tenant calls that had not begun all succeed on a fresh thread, and the runaway is isolated from then on', async () => {
    const { host, events, signed } = await testHost({ actorThreads: 1 });
    running = host;
    const runaway = await host.startActor(await signed('runaway', await spinningComponent()), { deadlineMs: 500 });
    const tally = await host.startActor(await signed('tally', await tallyComponent()), { queueLimit: 100 });
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect(host.actorThreads).toEqual({ started: 1, size: 1 });

    const stuck = host.invoke(runaway.id, call('spin'));
    // The co-tenant under load: 40 calls wait behind the runaway guest on the one thread.
    const load = Array.from({ length: 40 }, () => host.invoke(tally.id, call('next')));
    expect(await stuck).toMatchObject({ ok: false, code: 'ACTOR_DEADLINE' });
    const answers = await Promise.all(load);
    expect(answers.every((answer) => answer.ok)).toBe(true);
    // The thread was replaced, and the tally's instance with it: it counts again from 1, in order.
    expect(answers.map((answer) => (answer.ok ? (answer.value as { ok: number }).ok : 0))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));

    const isolated = events.filter((event) => event.type === 'actor_isolated');
    expect(isolated).toEqual([{ type: 'actor_isolated', data: expect.objectContaining({ actor: runaway.id, reason: expect.stringMatching(/deadline/) }) }]);
    expect(host.inventory().actors.find((actor) => actor.id === runaway.id)).toMatchObject({ isolated: true });
    expect(host.inventory().actors.find((actor) => actor.id === tally.id)).toMatchObject({ isolated: false });

    // Isolated, the runaway spins on a thread of its own: the co-tenant's instance, and its count, live on meanwhile.
    const again = host.invoke(runaway.id, call('spin'));
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 41 } });
    expect(await again).toMatchObject({ ok: false, code: 'ACTOR_DEADLINE' });
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 42 } });
    expect(await host.invoke(runaway.id, call('run', 7))).toEqual({ ok: true, value: { ok: 7 } });
    expect(events.filter((event) => event.type === 'actor_isolated')).toHaveLength(1);
  });

  it('a trap replaces only the trapping instance: the co-tenant keeps its own', async () => {
    const { host, signed } = await testHost({ actorThreads: 1 });
    running = host;
    const trapper = await host.startActor(await signed('trapper', await trappingComponent()));
    const tally = await host.startActor(await signed('tally', await tallyComponent()));
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect(await host.invoke(trapper.id, call('run', 0))).toMatchObject({ ok: false, code: 'ACTOR_TRAPPED' });
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 2 } });
    expect(await host.invoke(trapper.id, call('run', 5))).toEqual({ ok: true, value: { ok: 5 } });
    expect(host.inventory().actors.find((actor) => actor.id === trapper.id)).toMatchObject({ isolated: false });
  });

  it('a memory bomb stops at its cap and traps, and its co-tenant does not notice', async () => {
    const { host, events, signed } = await testHost({ actorThreads: 1 });
    running = host;
    const bomb = await host.startActor(await signed('bomb', await memoryBombComponent()), { memoryLimitMb: 16 });
    const tally = await host.startActor(await signed('tally', await tallyComponent()));
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect(await host.invoke(bomb.id, call('bomb'))).toMatchObject({ ok: false, code: 'ACTOR_TRAPPED' });
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 2 } });
    expect(await host.invoke(bomb.id, call('run', 3))).toEqual({ ok: true, value: { ok: 3 } });
    expect(events.some((event) => event.type === 'actor_isolated')).toBe(false);
  });

  it('refuses a start request whose isolation or idle time is not what it may be', async () => {
    for (const bad of [{ isolated: 'yes' }, { isolated: 1 }, { idleMs: 0 }, { idleMs: -1 }, { idleMs: 1.5 }, { idleMs: 1e12 }, { idleMs: '60000' }]) {
      const parsed = await parseRequest({ op: 'start-actor', location: '/a.wasm', ...bad });
      expect({ bad, refused: isRefusal(parsed) }).toEqual({ bad, refused: true });
    }
    expect(isRefusal(await parseRequest({ op: 'start-actor', location: '/a.wasm', isolated: true, idleMs: 1000 }))).toBe(false);
  });
});
