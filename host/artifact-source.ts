import { open } from 'node:fs/promises';
import type { ArtifactBuffers } from './artifact-buffers.ts';
import { HostError } from './errors.ts';

/** Components are 2 kB (WAT) to 13 MB (StarlingMonkey); anything far beyond is a mistake or an attack. */
export const DEFAULT_MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

/** How long a fetch may wait: for the response's head, between two pieces of its body, and in all. */
export interface FetchTimeouts {
  readonly headMs: number;
  readonly idleMs: number;
  readonly totalMs: number;
}

// A 13 MB component over a slow link takes seconds; a server that says nothing for 15 s is gone.
export const DEFAULT_FETCH_TIMEOUTS: FetchTimeouts = { headMs: 15_000, idleMs: 15_000, totalMs: 120_000 };

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
  const abort = new AbortController();
  let expired: string | undefined;
  const expire = (why: string) => {
    expired ??= why;
    abort.abort();
  };
  const total = setTimeout(() => expire(`took over ${timeouts.totalMs} ms in all`), timeouts.totalMs);
  let idle = setTimeout(() => expire(`sent no response head within ${timeouts.headMs} ms`), timeouts.headMs);
  const timedOut = () => new HostError('ARTIFACT_FETCH_TIMEOUT', `GET ${url} ${expired}`);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: abort.signal, redirect: 'follow' });
    } catch (error) {
      if (expired) throw timedOut();
      throw new HostError('ARTIFACT_UNREADABLE', `cannot fetch ${url}: ${(error as Error).message}`);
    }
    if (!response.ok || !response.body) {
      abort.abort();
      throw new HostError('ARTIFACT_UNREADABLE', `GET ${url} answered ${response.status} ${response.statusText}`.trim());
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      abort.abort();
      throw tooLarge(url, maxBytes);
    }
    // A server may omit or misstate the length, so count what actually arrives.
    const chunks: Uint8Array[] = [];
    let received = 0;
    const stall = () => expire(`sent nothing for ${timeouts.idleMs} ms after ${received} bytes`);
    clearTimeout(idle);
    idle = setTimeout(stall, timeouts.idleMs);
    try {
      for await (const chunk of response.body) {
        clearTimeout(idle);
        idle = setTimeout(stall, timeouts.idleMs);
        received += chunk.length;
        if (received > maxBytes) {
          abort.abort();
          throw tooLarge(url, maxBytes);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (expired) throw timedOut();
      throw error instanceof HostError ? error : new HostError('ARTIFACT_UNREADABLE', `GET ${url} broke off: ${(error as Error).message}`);
    }
    return new Uint8Array(Buffer.concat(chunks));
  } finally {
    clearTimeout(total);
    clearTimeout(idle);
  }
}

function tooLarge(location: string, maxBytes: number): HostError {
  return new HostError('ARTIFACT_TOO_LARGE', `${location} is larger than the ${maxBytes}-byte limit for a component`);
}
