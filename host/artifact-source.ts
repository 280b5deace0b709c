import { open } from 'node:fs/promises';
import type { ArtifactBuffers } from './artifact-buffers.ts';
import { DEFAULT_FETCH_TIMEOUTS, timedFetch, type FetchTimeouts } from './artifacts/timed-fetch.ts';
import { HostError } from './errors.ts';

export { DEFAULT_FETCH_TIMEOUTS, type FetchTimeouts };

/** Components are 2 kB (WAT) to 13 MB (StarlingMonkey); anything far beyond is a mistake or an attack. */
export const DEFAULT_MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

/**
 * The bytes of a component from a file path or an http(s) URL, refusing anything over `maxBytes`.
 * A file is read into a buffer lent by `buffers`, when given: the caller gives it back.
 */
export async function readArtifact(location: string, maxBytes = DEFAULT_MAX_ARTIFACT_BYTES, timeouts = DEFAULT_FETCH_TIMEOUTS, buffers?: ArtifactBuffers): Promise<Uint8Array> {
  return /^https?:\/\//i.test(location) ? fetchArtifact(location, maxBytes, timeouts) : readArtifactFile(location, maxBytes, buffers);
}

async function readArtifactFile(path: string, maxBytes: number, buffers: ArtifactBuffers | undefined): Promise<Uint8Array> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new HostError('ARTIFACT_UNREADABLE', `cannot read ${path}: ${reason}`);
  }
  try {
    const stats = await file.stat();
    if (stats.isDirectory()) {
      throw new HostError('ARTIFACT_IS_DIRECTORY', `${path} is a directory, not a component: if it is an actor project, run badger build ${path} and start the signed file it writes (build/<name>_s.wasm), or run badger dev ${path}`);
    }
    if (stats.size > maxBytes) throw tooLarge(path, maxBytes);
    // One read of the known size: readFile's 512 KiB steps cost 15–40 ms for a 13 MB component.
    const bytes = buffers ? buffers.lend(stats.size) : new Uint8Array(stats.size);
    try {
      let at = 0;
      while (at < bytes.length) {
        const { bytesRead } = await file.read(bytes, at, bytes.length - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      if (at === bytes.length) return bytes;
      // A file that shrank while read: only what was read, never the lent buffer's old contents.
      const read = bytes.slice(0, at);
      buffers?.release(bytes);
      return read;
    } catch (error) {
      buffers?.release(bytes);
      throw error;
    }
  } finally {
    await file.close();
  }
}

async function fetchArtifact(url: string, maxBytes: number, timeouts: FetchTimeouts): Promise<Uint8Array> {
  const { response, body, discard } = await timedFetch(url, { redirect: 'follow' }, timeouts, `GET ${url}`);
  if (!response.ok) {
    discard();
    throw new HostError('ARTIFACT_UNREADABLE', `GET ${url} answered ${response.status} ${response.statusText}`.trim());
  }
  try {
    return await body(maxBytes, url);
  } catch (error) {
    throw (error as HostError).code === 'ARTIFACT_TOO_LARGE' ? tooLarge(url, maxBytes) : error;
  }
}

function tooLarge(location: string, maxBytes: number): HostError {
  return new HostError('ARTIFACT_TOO_LARGE', `${location} is larger than the ${maxBytes}-byte limit for a component`);
}
