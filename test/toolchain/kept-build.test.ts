import { describe, expect, it } from 'vitest';
import { keptBuild } from '../../toolchain/index.ts';

const inputs = 'a'.repeat(64);
const written = { ino: 7, size: 100, mtimeMs: 1234.5 };
const record = JSON.stringify({ inputs, ino: 7, size: 100, modifiedMs: 1234.5, hash: 'ABC', capabilities: ['wasi:http/incoming-handler'] });

describe('what the key file of an earlier build says', () => {
  it('gives the summary it recorded while the output is the one that build wrote', () => {
    expect(keptBuild(record, inputs, written)).toEqual({ size: 100, hash: 'ABC', capabilities: ['wasi:http/incoming-handler'] });
  });

  it('asks for the output to be read again once it was touched, or when the key file is an older badger\'s digest alone', () => {
    expect(keptBuild(record, inputs, { ...written, mtimeMs: 1300 })).toBe('read');
    expect(keptBuild(record, inputs, { ...written, ino: 8 })).toBe('read');
    expect(keptBuild(record, inputs, { ...written, size: 101 })).toBe('read');
    expect(keptBuild(inputs, inputs, written)).toBe('read');
    expect(keptBuild(JSON.stringify({ ...JSON.parse(record), hash: 5 }), inputs, written)).toBe('read');
  });

  it('says nothing for other inputs, or for a key file that is not one', () => {
    expect(keptBuild(record, 'b'.repeat(64), written)).toBeUndefined();
    expect(keptBuild('b'.repeat(64), inputs, written)).toBeUndefined();
    for (const text of ['null', '42', '"x"', '[]', '{', '']) expect(keptBuild(text, inputs, written)).toBeUndefined();
  });
});
