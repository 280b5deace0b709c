import { describe, expect, it } from 'vitest';
import { joinConfined, resolveConfined, type Entry } from '../../../providers/filesystem/index.ts';

/** A directory tree by path ('a/b'), for the walk to read without a disk. */
function tree(entries: Record<string, Entry>) {
  return (names: readonly string[]): Entry => entries[names.join('/')] ?? { kind: 'missing' };
}

const DIR: Entry = { kind: 'directory' };
const FILE: Entry = { kind: 'other' };
const link = (target: string): Entry => ({ kind: 'symlink', target });

const failure = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'resolved';
};

describe('joinConfined', () => {
  it('applies . and .. by the text, and refuses leaving the root, absolute paths and NUL', () => {
    expect(joinConfined(['a'], './b/../c//d')).toEqual(['a', 'c', 'd']);
    expect(joinConfined([], '')).toEqual([]);
    expect(failure(() => joinConfined(['a'], '../..'))).toBe('not-permitted');
    expect(failure(() => joinConfined([], '/etc'))).toBe('not-permitted');
    expect(failure(() => joinConfined([], 'a\0b'))).toBe('invalid');
  });
});

describe('resolveConfined', () => {
  const read = tree({ a: DIR, 'a/f': FILE, in: link('a'), up: link('../x'), abs: link('/etc'), 'a/back': link('../a/f'), chain: link('in/back'), l1: link('l2'), l2: link('l1') });

  it('follows symlinks that stay inside, from the directory they sit in', () => {
    expect(resolveConfined([], 'in/f', true, read)).toEqual(['a', 'f']);
    expect(resolveConfined([], 'a/back', true, read)).toEqual(['a', 'f']);
    expect(resolveConfined([], 'chain', true, read)).toEqual(['a', 'f']);
    expect(resolveConfined([], 'in/..', true, read)).toEqual([]);
  });

  it('leaves the last name alone unless asked to follow it', () => {
    expect(resolveConfined([], 'in', false, read)).toEqual(['in']);
    expect(resolveConfined([], 'abs', false, read)).toEqual(['abs']);
    expect(resolveConfined([], 'in', true, read)).toEqual(['a']);
  });

  it('refuses symlinks that lead out or are absolute, loops, and walking through what is not a directory', () => {
    expect(failure(() => resolveConfined([], 'up', true, read))).toBe('not-permitted');
    expect(failure(() => resolveConfined([], 'abs/passwd', false, read))).toBe('not-permitted');
    expect(failure(() => resolveConfined([], 'l1', true, read))).toBe('loop');
    expect(failure(() => resolveConfined([], 'a/f/g', true, read))).toBe('not-directory');
    expect(failure(() => resolveConfined([], 'missing/g', true, read))).toBe('no-entry');
  });

  it('allows a name that does not exist yet as the last one (to create it)', () => {
    expect(resolveConfined(['a'], 'new.txt', true, read)).toEqual(['a', 'new.txt']);
  });
});
