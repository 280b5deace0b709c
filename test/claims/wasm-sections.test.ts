import { describe, expect, it } from 'vitest';
import { computeModuleHash, readTopLevelToken, stripTokenSections, wasmKind } from '../../claims/index.ts';
import { appendCustomSection } from '../../claims/wasm-sections.ts';
import { buildComponent, buildCoreModule } from '../fixtures/wasm-artifacts.ts';

const text = (s: string) => new TextEncoder().encode(s);

/** Puts a custom section inside the first nested core module of a component, fixing up the sizes. */
function withSectionInNestedModule(component: Uint8Array, name: string, data: string): Uint8Array {
  // The first section after the 8-byte header of a jco-made component is the nested core module (id 1).
  expect(component[8]).toBe(1);
  let offset = 9;
  let size = 0;
  let shift = 0;
  for (;;) {
    const byte = component[offset++]!;
    size |= (byte & 0x7f) << shift;
    shift += 7;
    if (!(byte & 0x80)) break;
  }
  const nested = component.subarray(offset, offset + size);
  const grown = appendCustomSection(nested, name, text(data));
  const sizeBytes: number[] = [];
  let rest = grown.length;
  do {
    sizeBytes.push((rest & 0x7f) | (rest >= 0x80 ? 0x80 : 0));
    rest >>>= 7;
  } while (rest);
  return Uint8Array.from([...component.subarray(0, 8), 1, ...sizeBytes, ...grown, ...component.subarray(offset + size)]);
}

describe('claims sections', () => {
  it('tells a core module from a component', async () => {
    expect(wasmKind(await buildCoreModule())).toBe('module');
    expect(wasmKind(await buildComponent())).toBe('component');
  });

  it('reads a top-level wasmcloud_jwt section, and falls back to the legacy jwt section', async () => {
    const module = await buildCoreModule();
    expect(readTopLevelToken(module)).toBeUndefined();
    expect(readTopLevelToken(appendCustomSection(module, 'jwt', text('legacy')))).toBe('legacy');
    const both = appendCustomSection(appendCustomSection(module, 'jwt', text('legacy')), 'wasmcloud_jwt', text('current'));
    expect(readTopLevelToken(both)).toBe('current');
  });

  it('ignores a token nested inside an inner module', async () => {
    const component = withSectionInNestedModule(await buildComponent(), 'wasmcloud_jwt', 'inner');
    expect(readTopLevelToken(component)).toBeUndefined();
  });

  it('hashes the same with or without claims sections, at every depth', async () => {
    const component = await buildComponent();
    const plain = computeModuleHash(component);
    expect(plain).toMatch(/^[0-9A-F]{64}$/);
    expect(computeModuleHash(appendCustomSection(component, 'wasmcloud_jwt', text('x')))).toBe(plain);
    expect(computeModuleHash(withSectionInNestedModule(component, 'jwt', 'y'))).toBe(plain);
    expect(computeModuleHash(withSectionInNestedModule(component, 'other', 'z'))).not.toBe(plain);
  });

  it('re-encodes padded section sizes minimally, as wascap does', async () => {
    const module = await buildCoreModule();
    // Same module, with the type section's size written as a 5-byte padded LEB128 (as LLVM emits it).
    const typeSize = module[9]!;
    const padded = Uint8Array.from([...module.subarray(0, 9), typeSize | 0x80, 0x80, 0x80, 0x80, 0x00, ...module.subarray(10)]);
    expect(stripTokenSections(padded)).toEqual(stripTokenSections(module));
  });

  it('refuses garbage and truncated files with a reason, not a crash', async () => {
    expect(() => wasmKind(text('hello world, not wasm'))).toThrowError(/not a WebAssembly file/);
    const module = await buildCoreModule();
    expect(() => computeModuleHash(module.subarray(0, module.length - 3))).toThrowError(/truncated/);
  });
});
