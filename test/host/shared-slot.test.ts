import { describe, expect, it } from 'vitest';
import { SharedSlot } from '../../host/shared-slot.ts';

const SIZE = 4096;
const slot = () => new SharedSlot(new SharedArrayBuffer(SIZE), 0, SIZE);

/** What the other side reads: the value as the slot carried it. */
function carried(value: unknown): unknown {
  const one = slot();
  expect(one.write(value)).toBe(true);
  expect(one.holdsMessage).toBe(true);
  // The reader is another object over the same memory, as in the other thread.
  return one.read();
}

describe('shared slot', () => {
  it('carries what invocations and imports are made of, exactly as posting would', () => {
    const values: unknown[] = [
      undefined,
      null,
      true,
      false,
      0,
      -0,
      Number.NaN,
      -1.5,
      2 ** 53,
      0n,
      -(2n ** 63n),
      2n ** 64n - 1n,
      '',
      'GET',
      'héllo wörld ✓ 🦡',
      'x'.repeat(1000),
      'ü'.repeat(SIZE / 3),
      new Uint8Array([0, 1, 255]),
      new Uint8Array(),
      [1, 'two', [3n], { four: new Uint8Array([4]) }],
      { id: 7, tenant: 2, invocation: { kind: 'call', name: 'tool.get', args: ['default', 'k1'] }, missing: undefined },
      Object.assign(Object.create(null) as object, { bare: 'object' }),
      { 'a key with spaces': 1, 'é': 2, '': 3 },
    ];
    for (const value of values) expect(carried(value)).toStrictEqual(structuredClone(value));
  });

  it('gives bytes of their own: the next message in the slot does not change them', () => {
    const one = slot();
    expect(one.write({ body: new Uint8Array([1, 2, 3]) })).toBe(true);
    const first = one.read() as { body: Uint8Array };
    expect(one.write({ body: new Uint8Array([9, 9, 9]) })).toBe(true);
    expect([...first.body]).toEqual([1, 2, 3]);
  });

  it('keeps a key named __proto__ an own property, as a structured clone does', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "plain": 1}') as Record<string, unknown>;
    const read = carried(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.hasOwn(read, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(read).toStrictEqual(structuredClone(value));
  });

  it('refuses what it cannot carry unchanged, and says the message went by the port', () => {
    class Point {
      x = 1;
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const uncarried: unknown[] = [
      new Point(),
      new Map([[1, 2]]),
      new Uint16Array([1]),
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3],
      'lone \ud800 surrogate',
      { deep: { deeper: 'lone \udfff' } },
      () => 1,
      2n ** 64n,
      -(2n ** 63n) - 1n,
      new Uint8Array(SIZE),
      'é'.repeat(SIZE),
      cycle,
    ];
    for (const value of uncarried) {
      const one = slot();
      one.write('something before');
      expect(one.write(value)).toBe(false);
      expect(one.holdsMessage).toBe(false);
    }
  });

  it('shares one piece of memory between two slots at their own offsets', () => {
    const buffer = new SharedArrayBuffer(2 * SIZE);
    const first = new SharedSlot(buffer, 0, SIZE);
    const second = new SharedSlot(buffer, SIZE, SIZE);
    expect(first.write('first')).toBe(true);
    expect(second.write({ second: 'x'.repeat(SIZE / 2) })).toBe(true);
    expect(new SharedSlot(buffer, 0, SIZE).read()).toBe('first');
    expect(second.read()).toEqual({ second: 'x'.repeat(SIZE / 2) });
  });

  it('teaches the reader short strings once, and then sends only their numbers', () => {
    const buffer = new SharedArrayBuffer(SIZE);
    const writer = new SharedSlot(buffer, 0, SIZE);
    const reader = new SharedSlot(buffer, 0, SIZE);
    const message = { method: 'GET', methods: ['GET', 'GET'], path: '/', 'non-ascii': 'é' };
    expect(writer.write(message)).toBe(true);
    const first = new Int32Array(buffer, 0, 1)[0]!;
    expect(reader.read()).toStrictEqual(message);
    expect(writer.write(message)).toBe(true);
    // The second time, each known string is a tag and a number rather than its bytes.
    expect(new Int32Array(buffer, 0, 1)[0]!).toBeLessThan(first);
    expect(reader.read()).toStrictEqual(message);
  });

  it('forgets what a message taught when that message goes by the port, which the reader never sees in the slot', () => {
    const buffer = new SharedArrayBuffer(SIZE);
    const writer = new SharedSlot(buffer, 0, SIZE);
    const reader = new SharedSlot(buffer, 0, SIZE);
    expect(writer.write({ fresh: 'word', tooBig: new Uint8Array(SIZE) })).toBe(false);
    expect(writer.write({ fresh: 'word' })).toBe(true);
    expect(reader.read()).toStrictEqual({ fresh: 'word' });
  });

  it('refuses to read a message when it missed the one before, rather than read the wrong strings', () => {
    const buffer = new SharedArrayBuffer(SIZE);
    const writer = new SharedSlot(buffer, 0, SIZE);
    const reader = new SharedSlot(buffer, 0, SIZE);
    writer.write({ key: 'first' });
    writer.write({ key: 'second' });
    expect(() => reader.read()).toThrow(/assumes 2 learnt strings and this side has 0: a message was missed/);
  });

  it('spells strings out once the list of learnt strings is full', () => {
    const buffer = new SharedArrayBuffer(SIZE);
    const writer = new SharedSlot(buffer, 0, SIZE);
    const reader = new SharedSlot(buffer, 0, SIZE);
    for (let i = 0; i < 1100; i++) {
      expect(writer.write({ [`key${i}`]: `value${i}` })).toBe(true);
      expect(reader.read()).toStrictEqual({ [`key${i}`]: `value${i}` });
    }
    expect(writer.write({ key0: 'value0', key1099: 'value1099' })).toBe(true);
    expect(reader.read()).toStrictEqual({ key0: 'value0', key1099: 'value1099' });
  });
});
