import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { InvocationChannel } from '../../host/invocation-channel.ts';

let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
});

describe('invocation channel', () => {
  it('gives a blocked import its own reply, whatever else wakes the thread meanwhile', async () => {
    let answer: ((reply: unknown) => void) | undefined;
    const channel = new InvocationChannel<unknown, unknown, unknown, unknown>(() => new Promise((resolve) => (answer = resolve)));
    worker = new Worker(new URL('../fixtures/channel-worker.ts', import.meta.url), {
      workerData: { end: channel.workerEnd },
      transferList: [channel.workerEnd.invocations, channel.workerEnd.imports],
    });
    const replied = once(worker, 'message');
    for (let i = 0; i < 500 && !answer; i++) await sleep(10);
    expect(answer, 'the import reached the host').toBeDefined();
    // Past its spin the thread sleeps; stale wake-ups (a notify meant for an earlier reply) reach it
    // on every flag, before the provider has answered.
    const flags = new Int32Array(channel.workerEnd.signal);
    for (let round = 0; round < 20; round++) {
      for (let index = 0; index < flags.length; index++) Atomics.notify(flags, index);
      await sleep(1);
    }
    answer!({ ok: 'the real answer' });
    const [reply] = await replied;
    expect(reply).toEqual({ ok: 'the real answer' });
    channel.abandon();
  });

  it('moves a result\'s byte arrays that own their memory, and copies those that share it (a pool, a wider array) or whose memory cannot move (a Wasm memory)', async () => {
    const channel = new InvocationChannel<unknown, unknown, unknown, unknown>(() => Promise.resolve(undefined), () => true);
    worker = new Worker(new URL('../fixtures/channel-reply-worker.ts', import.meta.url), {
      workerData: { end: channel.workerEnd },
      transferList: [channel.workerEnd.invocations, channel.workerEnd.imports],
    });
    const left = once(worker, 'message');
    channel.send({ run: true });
    const result = (await channel.receive(30_000)) as { whole: Uint8Array; pooled: Uint8Array; part: Uint8Array };
    expect(result.whole).toEqual(new Uint8Array(100_000).fill(7));
    expect(Buffer.from(result.pooled).toString()).toBe('pooled');
    expect(result.part).toEqual(new Uint8Array(100_000).fill(9));
    // Only the array that was the whole of its memory left the worker; the others are as they were.
    expect((await left)[0]).toEqual({ whole: 0, pooled: 'pooled', wider: 200_000, part: 100_000 });

    const kept = once(worker, 'message');
    channel.send({ run: true });
    expect(await channel.receive(30_000)).toEqual({ memory: new Uint8Array(131_072).fill(3) });
    expect((await kept)[0]).toEqual({ memory: 131_072 });
    channel.abandon();
  });
});
