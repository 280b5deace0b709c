import { HostError } from '../errors.ts';

/** How long a fetch may wait: for the response's head, between two pieces of its body, and in all. */
export interface FetchTimeouts {
  readonly headMs: number;
  readonly idleMs: number;
  readonly totalMs: number;
}

// A 13 MB component over a slow link takes seconds; a server that says nothing for 15 s is gone.
export const DEFAULT_FETCH_TIMEOUTS: FetchTimeouts = { headMs: 15_000, idleMs: 15_000, totalMs: 120_000 };

/** Bytes received so far, and the length the server declared (when it did). */
export type FetchProgress = (received: number, declared: number | undefined) => void;

/** A response whose body is read once, capped and timed, or discarded. */
export interface TimedResponse {
  readonly response: Response;
  /** The whole body, refused as soon as it is known to be over `maxBytes` (declared or counted). */
  body(maxBytes: number, what: string, progress?: FetchProgress): Promise<Uint8Array>;
  /** Ends the exchange without reading the body. */
  discard(): void;
}

/**
 * `fetch` with three clocks: the head must come within `headMs`, the body must not stall for
 * `idleMs`, and the whole must end within `totalMs`. Each expiry is `ARTIFACT_FETCH_TIMEOUT`
 * naming `what`; a network failure is `ARTIFACT_UNREADABLE`. The caller reads the body or
 * discards it: the clocks run until one of the two.
 */
export async function timedFetch(url: string | URL, init: RequestInit, timeouts: FetchTimeouts, what: string): Promise<TimedResponse> {
  const abort = new AbortController();
  let expired: string | undefined;
  const expire = (why: string) => {
    expired ??= why;
    abort.abort();
  };
  const total = setTimeout(() => expire(`took over ${timeouts.totalMs} ms in all`), timeouts.totalMs);
  let idle = setTimeout(() => expire(`sent no response head within ${timeouts.headMs} ms`), timeouts.headMs);
  const stopClocks = () => {
    clearTimeout(total);
    clearTimeout(idle);
  };
  const timedOut = () => new HostError('ARTIFACT_FETCH_TIMEOUT', `${what}: the server ${expired}`);
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: abort.signal });
  } catch (error) {
    stopClocks();
    if (expired) throw timedOut();
    const cause = (error as Error & { cause?: Error }).cause?.message;
    throw new HostError('ARTIFACT_UNREADABLE', `${what}: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  clearTimeout(idle);
  const discard = () => {
    stopClocks();
    abort.abort();
  };
  return {
    response,
    discard,
    async body(maxBytes, named, progress) {
      const tooLarge = () => new HostError('ARTIFACT_TOO_LARGE', `${named} is larger than the ${maxBytes}-byte limit`);
      const declaredHeader = response.headers.get('content-length');
      const declared = declaredHeader === null ? undefined : Number(declaredHeader);
      if (declared !== undefined && declared > maxBytes) {
        discard();
        throw tooLarge();
      }
      if (!response.body) {
        stopClocks();
        return new Uint8Array();
      }
      // A server may omit or misstate the length, so count what actually arrives. When it states
      // one, the bytes land in a buffer of that size, not in pieces copied together at the end.
      let buffer = new Uint8Array(Number.isSafeInteger(declared) && declared! >= 0 ? declared! : 64 * 1024);
      let received = 0;
      const stall = () => expire(`sent nothing for ${timeouts.idleMs} ms after ${received} bytes`);
      idle = setTimeout(stall, timeouts.idleMs);
      try {
        for await (const chunk of response.body) {
          idle.refresh();
          if (received + chunk.length > maxBytes) throw tooLarge();
          if (received + chunk.length > buffer.length) {
            const grown = new Uint8Array(Math.min(maxBytes, Math.max(buffer.length * 2, received + chunk.length)));
            grown.set(buffer.subarray(0, received));
            buffer = grown;
          }
          buffer.set(chunk, received);
          received += chunk.length;
          progress?.(received, declared);
        }
      } catch (error) {
        discard();
        if (expired) throw timedOut();
        throw error instanceof HostError ? error : new HostError('ARTIFACT_UNREADABLE', `${what} broke off: ${(error as Error).message}`);
      }
      stopClocks();
      return received === buffer.length ? buffer : buffer.subarray(0, received);
    },
  };
}
