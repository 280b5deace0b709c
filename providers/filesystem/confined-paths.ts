/**
 * Where a guest's path leads inside its preopened directory. A path is a list of names below the
 * directory's root; nothing a guest writes (`..`, an absolute path, a symlink) leads above it.
 * The walk reads links through `LinkReader`, so the rules are tested without a disk.
 */

/** A wasi:filesystem error-code a resolution fails with. */
export type ResolveFailure = 'not-permitted' | 'invalid' | 'no-entry' | 'not-directory' | 'loop';

export class ResolveError extends Error {
  readonly code: ResolveFailure;

  constructor(code: ResolveFailure, message: string) {
    super(message);
    this.name = 'ResolveError';
    this.code = code;
  }
}

/** What the walk needs to know of one place below the root. */
export type Entry = { readonly kind: 'missing' } | { readonly kind: 'directory' } | { readonly kind: 'other' } | { readonly kind: 'symlink'; readonly target: string };

/** Looks one place up, by its names below the root, without following a final symlink. */
export type LinkReader = (names: readonly string[]) => Entry;

// Linux's own limit on symlinks followed in one resolution.
const MAX_SYMLINKS = 40;

/**
 * Applies a relative path to `from` (names below the root), by its text alone: `.` stays, `..`
 * goes up, and going above the root is refused, as is an absolute path or a NUL (pure).
 */
export function joinConfined(from: readonly string[], path: string): string[] {
  refuseUnsafeText(path);
  const names = [...from];
  for (const name of path.split('/')) {
    if (name === '' || name === '.') continue;
    if (name === '..') {
      if (names.length === 0) throw new ResolveError('not-permitted', `the path ${JSON.stringify(path)} leads out of the preopened directory`);
      names.pop();
    } else {
      names.push(name);
    }
  }
  return names;
}

/**
 * Resolves `path` from `from`, following every symlink on the way (and the last name's too when
 * `followLast`): the names below the root it leads to. A symlink whose target is absolute, or
 * leads above the root, is refused, even where the place it names would be inside: the guest's
 * view must not depend on where the host keeps the directory.
 */
export function resolveConfined(from: readonly string[], path: string, followLast: boolean, read: LinkReader): string[] {
  refuseUnsafeText(path);
  let pending = splitRelative(path);
  const names = [...from];
  let followed = 0;
  while (pending.length > 0) {
    const [name, ...rest] = pending as [string, ...string[]];
    pending = rest;
    if (name === '.') continue;
    if (name === '..') {
      if (names.length === 0) throw new ResolveError('not-permitted', `the path ${JSON.stringify(path)} leads out of the preopened directory`);
      names.pop();
      continue;
    }
    names.push(name);
    const isLast = pending.length === 0;
    if (isLast && !followLast) break;
    const entry = read(names);
    if (entry.kind === 'symlink') {
      if (++followed > MAX_SYMLINKS) throw new ResolveError('loop', `the path ${JSON.stringify(path)} goes through more than ${MAX_SYMLINKS} symlinks`);
      const at = `/${names.join('/')}`;
      if (entry.target.startsWith('/')) throw new ResolveError('not-permitted', `${at} is a symlink to an absolute path (${entry.target}), outside the preopened directory`);
      names.pop();
      // The link's target, read from the directory it sits in, goes before what is left of the path.
      try {
        joinConfined(names, entry.target);
      } catch {
        throw new ResolveError('not-permitted', `${at} is a symlink (to ${entry.target}) that leads out of the preopened directory`);
      }
      pending = [...splitRelative(entry.target), ...pending];
    } else if (!isLast && entry.kind === 'missing') {
      throw new ResolveError('no-entry', `/${names.join('/')} does not exist`);
    } else if (!isLast && entry.kind === 'other') {
      throw new ResolveError('not-directory', `/${names.join('/')} is not a directory`);
    }
  }
  return names;
}

function refuseUnsafeText(path: string): void {
  if (path.includes('\0')) throw new ResolveError('invalid', `the path ${JSON.stringify(path)} holds a NUL`);
  if (path.startsWith('/')) throw new ResolveError('not-permitted', `the path ${JSON.stringify(path)} is absolute: open it from a preopened directory, relative to it`);
}

function splitRelative(path: string): string[] {
  return path.split('/').filter((name) => name !== '');
}
