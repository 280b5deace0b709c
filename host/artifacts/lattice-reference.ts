import { HostError } from '../errors.ts';

/** `lattice://<name>:<version>`: an artifact in the lattice's own store, pulled by whichever host runs it. */
export const LATTICE_SCHEME = 'lattice://';

// The name as an OCI repository component, the version as an OCI tag: both are object names as they stand.
const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const VERSION = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const isLatticeReference = (text: string) => text.startsWith(LATTICE_SCHEME);

/**
 * Pure: `<name>:<version>` (with or without `lattice://`), as `badger push` and manifests write it,
 * checked: the name is lower-case words joined by `.`, `_`, `-` or `/`; the version is a tag
 * (`0.1.0`, `latest`). Gives the canonical `name:version`, the store's object name.
 */
export function parseLatticeReference(text: string): string {
  const bare = isLatticeReference(text) ? text.slice(LATTICE_SCHEME.length) : text;
  const colon = bare.lastIndexOf(':');
  const bad = (why: string) => new HostError('ARTIFACT_BAD_REFERENCE', `${text} is not a lattice artifact name: ${why} (write <name>:<version>, e.g. oled-ticker:0.1.0)`);
  if (colon < 0) throw bad('it has no :version');
  const name = bare.slice(0, colon);
  const version = bare.slice(colon + 1);
  if (!NAME.test(name) || name.length > 255) throw bad(`the name "${name}" is not lower-case letters and digits joined by . _ - or /`);
  if (!VERSION.test(version)) throw bad(`the version "${version}" is not letters, digits, . _ and - (at most 128)`);
  return `${name}:${version}`;
}
