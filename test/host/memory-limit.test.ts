import { describe, expect, it } from 'vitest';
import { limitMemory } from '../../host/memory-limit.ts';
import { parse } from '@bytecodealliance/jco';

async function memoryOf(wat: string, maxPages: number): Promise<WebAssembly.Instance['exports']> {
  const module = await WebAssembly.compile(limitMemory(await parse(wat), maxPages));
  return (await WebAssembly.instantiate(module)).exports;
}

describe('memory limit', () => {
  it('caps a memory with no maximum, so growing past the cap fails', async () => {
    const exports = await memoryOf('(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))', 4);
    const grow = exports.grow as (pages: number) => number;
    expect(grow(3)).toBe(1);
    expect(grow(1)).toBe(-1);
  });

  it('keeps a declared maximum that is already lower', async () => {
    const exports = await memoryOf('(module (memory 1 2) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))', 100);
    expect((exports.grow as (pages: number) => number)(2)).toBe(-1);
  });

  it('refuses a module whose memory starts above the cap', async () => {
    expect(() => limitMemory(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 10]), 4)).toThrowError(/above its limit/);
  });
});
