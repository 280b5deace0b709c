import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ACTORS = fileURLToPath(new URL('../../actors-src/', import.meta.url));

/** The signed output of an example actor; test/actors/build-actors.setup.ts builds them first. */
export function builtActor(name: string): string {
  return join(ACTORS, name, 'build', `${name}_s.wasm`);
}
