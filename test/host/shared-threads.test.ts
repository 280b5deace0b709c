/**
 * Many actors on few threads: the guarantees an actor had on threads of its own hold on a shared
 * one. A runaway guest costs its co-tenants nothing but a fresh thread, a trap or a memory bomb
 * costs them nothing at all, and an idle instance is dropped and made again.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, signArtifact } from '../../claims/index.ts';
import { defaultPolicy, Host, type HostEventType, type HostOptions } from '../../host/index.ts';
import { eventually } from '../fixtures/lattice-host.ts';
import { greeterCallerComponent, greeterComponent, memoryBombComponent, spinningComponent, tallyComponent, trappingComponent } from '../fixtures/wat-components.ts';

const issuer = generateKeyPair('account');
const call = (name: string, ...args: unknown[]) => ({ kind: 'call' as const, name, args });
let host: Host | undefined;

afterEach(async () => {
  await host?.shutdown();
  host = undefined;
});

async function signed(work: string, name: string, bytes: Uint8Array, caps: string[] = []): Promise<string> {
  const path = join(work, `${name}.wasm`);
  const artifact = await signArtifact(bytes, { issuer, subject: generateKeyPair('component'), issuedAt: Math.floor(Date.now() / 1000) - 60, claims: { name, caps } });
  await writeFile(path, artifact.bytes);
  return path;
}

async function hostWith(options: Partial<HostOptions> = {}): Promise<{ host: Host; work: string; events: { type: HostEventType; data: Record<string, unknown> }[] }> {
  const work = await mkdtemp(join(tmpdir(), 'badger-shared-threads-'));
  const events: { type: HostEventType; data: Record<string, unknown> }[] = [];
  host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer.publicKey]), logger: pino({ level: 'silent' }), onEvent: (type, data) => events.push({ type, data }), ...options });
  return { host, work, events };
}

describe('actors on a shared thread', () => {
  it('a runaway guest: its co-tenant calls that had not begun all succeed on a fresh thread, and the runaway is isolated from then on', async () => {
    const { host, work, events } = await hostWith({ actorThreads: 1 });
    const runaway = await host.startActor(await signed(work, 'runaway', await spinningComponent()), { deadlineMs: 500 });
    const tally = await host.startActor(await signed(work, 'tally', await tallyComponent()), { queueLimit: 100 });
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
    const { host, work } = await hostWith({ actorThreads: 1 });
    const trapper = await host.startActor(await signed(work, 'trapper', await trappingComponent()));
    const tally = await host.startActor(await signed(work, 'tally', await tallyComponent()));
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect(await host.invoke(trapper.id, call('run', 0))).toMatchObject({ ok: false, code: 'ACTOR_TRAPPED' });
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 2 } });
    expect(await host.invoke(trapper.id, call('run', 5))).toEqual({ ok: true, value: { ok: 5 } });
    expect(host.inventory().actors.find((actor) => actor.id === trapper.id)).toMatchObject({ isolated: false });
  });

  it('a memory bomb stops at its cap and traps, and its co-tenant does not notice', async () => {
    const { host, work, events } = await hostWith({ actorThreads: 1 });
    const bomb = await host.startActor(await signed(work, 'bomb', await memoryBombComponent()), { memoryLimitMb: 16 });
    const tally = await host.startActor(await signed(work, 'tally', await tallyComponent()));
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect(await host.invoke(bomb.id, call('bomb'))).toMatchObject({ ok: false, code: 'ACTOR_TRAPPED' });
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 2 } });
    expect(await host.invoke(bomb.id, call('run', 3))).toEqual({ ok: true, value: { ok: 3 } });
    expect(events.some((event) => event.type === 'actor_isolated')).toBe(false);
  });

  it('scales to zero: an idle instance is dropped, and the next call makes a new one', async () => {
    const { host, work } = await hostWith();
    const tally = await host.startActor(await signed(work, 'tally', await tallyComponent()), { idleMs: 200 });
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 2 } });
    expect((await host.actorStats(tally.id)).instances).toBe(1);
    expect(await eventually(async () => (await host.actorStats(tally.id)).instances === 0)).toBe(true);
    // A cold start: a fresh instance, counting from 1 again.
    expect(await host.invoke(tally.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect((await host.actorStats(tally.id)).instances).toBe(1);
  });

  it('an actor called by a co-tenant that waits on it runs elsewhere, rather than wait for the thread that waits on it', async () => {
    const { host, work } = await hostWith({ actorThreads: 1 });
    const greeter = await host.startActor(await signed(work, 'greeter', await greeterComponent()));
    const caller = await host.startActor(await signed(work, 'caller', await greeterCallerComponent(), ['example:greeter/greet']), { deadlineMs: 2000 });
    await host.putLink({ source: caller.id, interface: 'example:greeter/greet', target: greeter.id });
    for (const n of [1, 2, 3]) expect(await host.invoke(caller.id, call('run', n))).toEqual({ ok: true, value: { ok: 2 * n } });
  });

  it('--isolated: threads of its own, and none of the shared ones started', async () => {
    const { host, work } = await hostWith();
    const alone = await host.startActor(await signed(work, 'alone', await tallyComponent()), { isolated: true, maxInstances: 3 });
    expect(await host.invoke(alone.id, call('next'))).toEqual({ ok: true, value: { ok: 1 } });
    expect(host.inventory().actors.find((actor) => actor.id === alone.id)).toMatchObject({ isolated: true });
    expect(host.actorThreads.started).toBe(0);
  });
});
