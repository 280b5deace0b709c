import { isAbsolute } from 'node:path';

export type FilesystemMode = 'ro' | 'rw';

/** What a filesystem link's config says, checked and with defaults. */
export interface FilesystemLinkConfig {
  /** The host directory the actor is given (absolute). */
  readonly path: string;
  readonly mode: FilesystemMode;
  /** The name the guest sees it by, as a preopen (`/`, `/data`). */
  readonly guestPath: string;
}

const KNOWN_KEYS = new Set(['path', 'mode', 'guest_path']);

/**
 * Reads a filesystem link's config (pure): `path` (required, absolute), `mode` `ro` (default) or
 * `rw`, and `guest_path` (`/`). Read-only by default, as Spin's mounted files are: writing is
 * the grant an operator must ask for. An unknown key is refused, since a misspelt `mode` would
 * otherwise quietly leave the directory read-only, or a misspelt `path` give nothing.
 */
export function parseFilesystemLinkConfig(config: Readonly<Record<string, string>>, refuse: (message: string) => Error): FilesystemLinkConfig {
  const unknown = Object.keys(config).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) throw refuse(`unknown key ${unknown.join(', ')}; known: path, mode, guest_path`);
  const path = config.path;
  if (path === undefined || path === '') throw refuse('path is required: the host directory to give the actor, such as path=/srv/site');
  if (!isAbsolute(path)) throw refuse(`path=${path} is not absolute`);
  const mode = config.mode ?? 'ro';
  if (mode !== 'ro' && mode !== 'rw') throw refuse(`mode=${mode}: use ro or rw`);
  const guestPath = config.guest_path ?? '/';
  if (!guestPath.startsWith('/') || guestPath.includes('\0')) throw refuse(`guest_path=${guestPath} is not an absolute path`);
  return { path, mode, guestPath };
}
