import { join } from 'node:path';
import { fileNameOf } from './object-names.ts';

// How a file store lays out its directory, for the provider's backend (file-backend.ts) and for
// the copy an actor's thread runs (file-store-sync.ts): the two must agree byte for byte.

/** Written when a container is made: when it was made (a directory's birth time is not kept everywhere). */
export const CONTAINER_FILE = '.container';
export const TEMP_PREFIX = '.tmp-';

/** A container's directory under the store's. */
export const containerPath = (root: string, container: string) => join(root, fileNameOf(container, 'container'));

/** An object's file in its container's directory. */
export const objectPath = (containerDir: string, object: string) => join(containerDir, fileNameOf(object, 'object'));

/** What `.container` holds for a container made now. */
export const containerRecord = () => new TextEncoder().encode(JSON.stringify({ createdAt: Math.floor(Date.now() / 1000) }));
