import { BlobError } from './errors.ts';

/**
 * wasi:blobstore lets a container or an object be named by any UTF-8 string: `a/b.txt`, `..`, a
 * NUL. A file store keeps each under a file name made from it, which can never leave its
 * directory: every byte outside [A-Za-z0-9_-] and a dot that does not follow one of those is
 * written as %XX. So no file name holds a `/` or a NUL, none is `.` or `..`, and none begins with a
 * dot: the store's own files (`.tmp-…`, `.container`) can never be taken by a name. The mapping is
 * one-to-one, so a listing gives back exactly the names that were written.
 */

/** Linux's limit on one file name, in bytes. */
const MAX_FILE_NAME_BYTES = 255;

const PLAIN = /^[A-Za-z0-9_-]$/;
/** A name every byte of which fileNameOf keeps: plain characters, dots only between them. */
const KEPT_WHOLE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?$/;

export function fileNameOf(name: string, what: 'object' | 'container'): string {
  if (name.length === 0) throw new BlobError('BLOB_BAD_NAME', `an ${what} name is empty`);
  // Most names are plain (every call of a file store maps one or two): skip the byte-by-byte walk.
  if (name.length <= MAX_FILE_NAME_BYTES && KEPT_WHOLE.test(name)) return name;
  if (!name.isWellFormed()) throw new BlobError('BLOB_BAD_NAME', `an ${what} name is not well-formed UTF-8`);
  let fileName = '';
  let previous = '';
  for (const byte of new TextEncoder().encode(name)) {
    const char = String.fromCharCode(byte);
    // A dot is kept only after a plain character: never first, never `..`.
    fileName += PLAIN.test(char) || (char === '.' && PLAIN.test(previous)) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    previous = fileName.at(-1)!;
  }
  if (fileName.length > MAX_FILE_NAME_BYTES) {
    throw new BlobError('BLOB_BAD_NAME', `the ${what} name "${name.slice(0, 40)}…" is too long for a file store (${fileName.length} bytes encoded, at most ${MAX_FILE_NAME_BYTES})`);
  }
  return fileName;
}

/** The name a file name was made from; undefined for a file the store did not name (its own, or a stranger's). */
export function nameOfFile(fileName: string): string | undefined {
  if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})(?:[A-Za-z0-9_.-]|%[0-9A-F]{2})*$/.test(fileName)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < fileName.length; i++) {
    if (fileName[i] === '%') {
      bytes.push(Number.parseInt(fileName.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(fileName.charCodeAt(i));
  }
  try {
    const name = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
    // Only the one spelling fileNameOf makes counts: another would be a second file for one name.
    return fileNameOf(name, 'object') === fileName ? name : undefined;
  } catch {
    return undefined;
  }
}

/** JetStream's limit is the stream's file name (`OBJ_<name>`); kept well under 255 bytes. */
const MAX_BUCKET_NAME_BYTES = 240;
const BUCKET_PLAIN = /^[A-Za-z0-9-]$/;

/**
 * The JetStream object store a container lives in. Store names are letters, digits, `_` and `-`;
 * every other byte, and `_` itself, is written as `_XX`, so that two containers never share a store.
 */
export function bucketNameOf(container: string): string {
  if (container.length === 0) throw new BlobError('BLOB_BAD_NAME', 'a container name is empty');
  if (!container.isWellFormed()) throw new BlobError('BLOB_BAD_NAME', 'a container name is not well-formed UTF-8');
  let bucket = '';
  for (const byte of new TextEncoder().encode(container)) {
    const char = String.fromCharCode(byte);
    bucket += BUCKET_PLAIN.test(char) ? char : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (bucket.length > MAX_BUCKET_NAME_BYTES) {
    throw new BlobError('BLOB_BAD_NAME', `the container name "${container.slice(0, 40)}…" is too long for a NATS object store (${bucket.length} bytes encoded, at most ${MAX_BUCKET_NAME_BYTES})`);
  }
  return bucket;
}
