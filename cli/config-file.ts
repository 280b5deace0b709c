import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { badgerHome } from '../host/index.ts';
import { DEFAULT_LATTICE } from '../host/lattice/index.ts';

/** `~/.badger/config.yaml`: defaults for flags, which always win over it. */
export interface BadgerConfig {
  /** The NATS server of the lattice, for `up` and the commands that need one. */
  readonly nats?: string;
  readonly lattice?: string;
  /** Where keys are kept, instead of `~/.badger/keys`. */
  readonly keys?: string;
  /** The cluster key seed file that vouches for hosts and providers started here: it locks their lattice. */
  readonly clusterSeed?: string;
}

const KNOWN = new Set(['nats', 'lattice', 'keys', 'clusterSeed']);
const PATHS = new Set(['keys', 'clusterSeed']);

export const configPath = (): string => join(badgerHome(), 'config.yaml');

/** Pure: the config in `text`, or what is wrong with it. */
export function parseConfig(text: string): { config: BadgerConfig; problems: string[] } {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (error) {
    return { config: {}, problems: [(error as Error).message.split('\n')[0]!] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { config: {}, problems: ['it must be a mapping such as "nats: nats://hub.local:4222"'] };
  const problems: string[] = [];
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!KNOWN.has(key)) problems.push(`unknown setting ${key}; known: ${[...KNOWN].join(', ')}`);
    // Several NATS servers, any of which may serve: kept as the comma-joined list --nats takes.
    else if (key === 'nats' && Array.isArray(value) && value.length > 0 && value.every((url) => typeof url === 'string')) config[key] = value.join(',');
    else if (typeof value !== 'string') problems.push(key === 'nats' ? 'nats must be a URL or a list of URLs' : `${key} must be a string`);
    else config[key] = PATHS.has(key) ? expandHome(value) : value;
  }
  return { config, problems };
}

const expandHome = (path: string) => (path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : resolve(path));

let loaded: { config: BadgerConfig; problems: string[] } | undefined;

/** The config file, read once; a missing file is an empty config, a broken one is reported by `badger doctor` and ignored. */
export function configured(): { config: BadgerConfig; problems: string[] } {
  if (loaded) return loaded;
  let text: string;
  try {
    text = readFileSync(configPath(), 'utf8');
  } catch {
    return (loaded = { config: {}, problems: [] });
  }
  loaded = parseConfig(text);
  if (loaded.problems.length > 0) loaded = { config: {}, problems: loaded.problems };
  return loaded;
}

export const defaultLattice = (): string => configured().config.lattice ?? DEFAULT_LATTICE;
export const defaultNats = (): string | undefined => configured().config.nats;
export const defaultClusterSeed = (): string | undefined => configured().config.clusterSeed;
