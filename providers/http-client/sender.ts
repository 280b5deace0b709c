import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { allowsRequest } from './allowed-hosts.ts';
import { wasiErrorCodeOf, type WasiHttpErrorCode } from './error-codes.ts';
import { HttpClientError } from './errors.ts';
import type { HttpClientLinkConfig } from './link-config.ts';

export interface OutgoingHttpRequest {
  readonly method: string;
  readonly scheme: string;
  readonly authority: string;
  readonly pathWithQuery: string;
  readonly headers: readonly (readonly [string, string])[];
  /** The whole body, or its chunks as the guest writes them. */
  readonly body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** For a streamed body: the size it reached past max_body_bytes, once it did (the stream then fails). */
  readonly bodyOverLimit?: () => number | undefined;
  /** wasi:http's request-options, in ms; each at most the link's timeout_ms. */
  readonly connectTimeoutMs?: number;
  readonly firstByteTimeoutMs?: number;
  readonly betweenBytesTimeoutMs?: number;
}

export interface IncomingHttpResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

export type SendOutcome = { readonly ok: IncomingHttpResponse } | { readonly err: WasiHttpErrorCode };

/** A response whose body is still arriving. */
export interface StreamingHttpResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Readable;
}

export type OpenOutcome = { readonly ok: StreamingHttpResponse } | { readonly err: WasiHttpErrorCode };

/** Connect timeouts other than the link's that keep an Agent of their own at once. */
const MAX_OTHER_CONNECT_TIMEOUTS = 4;

/**
 * Headers a guest does not choose. `host` is the authority that allowed_hosts checked (a guest's own
 * would send the request to another virtual host behind an allowed address); the rest describe the
 * connection and the framing, which the client owns.
 */
const HEADERS_THE_CLIENT_SETS = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'content-length', 'upgrade', 'te', 'trailer']);

/**
 * Sends an actor's requests for one link: only to the hosts its `allowed_hosts` names, within its
 * timeouts, and reading at most `max_body_bytes` of a response. undici's Agent keeps a pool of
 * kept-alive connections per origin. Every failure comes back as wasi:http's `error-code`.
 */
export class HttpClientSender {
  readonly #config: HttpClientLinkConfig;
  readonly #ca: string | undefined;
  /**
   * undici sets the connect timeout per Agent, not per request: one Agent (and its pools) for each
   * connect timeout asked for, the link's own first, and the most recent few others.
   */
  readonly #agents = new Map<number, Agent>();
  #closed = false;

  private constructor(config: HttpClientLinkConfig, ca: string | undefined) {
    this.#config = config;
    this.#ca = ca;
  }

  static async open(config: HttpClientLinkConfig): Promise<HttpClientSender> {
    return new HttpClientSender(config, config.tlsCa === undefined ? undefined : await readCa(config.tlsCa));
  }

  #agentFor(connectTimeoutMs: number): Agent {
    // A request that comes after its link went must not open pools nobody will close.
    if (this.#closed) throw new Error("the link's HTTP client is closed");
    let agent = this.#agents.get(connectTimeoutMs);
    if (agent) return agent;
    const others = [...this.#agents.keys()].filter((ms) => ms !== this.#config.timeoutMs);
    // The oldest other one goes once its requests end; a request that began on it is not cut short.
    if (others.length >= MAX_OTHER_CONNECT_TIMEOUTS) {
      this.#agents.get(others[0]!)!.close().catch(() => undefined);
      this.#agents.delete(others[0]!);
    }
    const timeouts = { headersTimeout: this.#config.timeoutMs, bodyTimeout: this.#config.timeoutMs };
    agent = new Agent({ connect: { timeout: connectTimeoutMs, ...(this.#ca === undefined ? {} : { ca: this.#ca }) }, ...timeouts });
    this.#agents.set(connectTimeoutMs, agent);
    return agent;
  }

  /** The link's limit on a body, each way. */
  get maxBodyBytes(): number {
    return this.#config.maxBodyBytes;
  }

  /** Sends the request, and answers once the response's head has come; its body streams on. */
  async open(request: OutgoingHttpRequest): Promise<OpenOutcome> {
    if (!allowsRequest(this.#config.allowedHosts, request.scheme, request.authority)) return { err: { tag: 'HTTP-request-denied' } };
    if (request.body instanceof Uint8Array && request.body.byteLength > this.#config.maxBodyBytes) {
      return { err: { tag: 'HTTP-request-body-size', val: BigInt(request.body.byteLength) } };
    }
    const within = (asked: number | undefined) => Math.min(asked ?? this.#config.timeoutMs, this.#config.timeoutMs);
    const options: Dispatcher.RequestOptions = {
      origin: `${request.scheme.toLowerCase()}://${request.authority}`,
      path: request.pathWithQuery || '/',
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers.filter(([name]) => !HEADERS_THE_CLIENT_SETS.has(name.toLowerCase())).flat(),
      body: request.body === undefined || request.body instanceof Uint8Array ? request.body : Readable.from(request.body, { objectMode: false }),
      headersTimeout: within(request.firstByteTimeoutMs),
      bodyTimeout: within(request.betweenBytesTimeoutMs),
    };
    try {
      const response = await this.#agentFor(within(request.connectTimeoutMs)).request(options);
      return { ok: { status: response.statusCode, headers: headerPairs(response.headers), body: response.body } };
    } catch (error) {
      const over = request.bodyOverLimit?.();
      return { err: over === undefined ? wasiErrorCodeOf(error) : { tag: 'HTTP-request-body-size', val: BigInt(over) } };
    }
  }

  /** Sends the request and reads the whole response, at most max_body_bytes of it. */
  async send(request: OutgoingHttpRequest): Promise<SendOutcome> {
    const opened = await this.open(request);
    if ('err' in opened) return opened;
    const { body } = opened.ok;
    try {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size > this.#config.maxBodyBytes) {
          body.destroy();
          return { err: { tag: 'HTTP-response-body-size', val: BigInt(size) } };
        }
        chunks.push(chunk);
      }
      return { ok: { status: opened.ok.status, headers: opened.ok.headers, body: Buffer.concat(chunks) } };
    } catch (error) {
      return { err: wasiErrorCodeOf(error) };
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#agents.values()].map((agent) => agent.close()));
    this.#agents.clear();
  }
}

async function readCa(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new HttpClientError('HTTP_CLIENT_BAD_LINK_CONFIG', `http-client link config: tls_ca="${path}" cannot be read: ${(error as Error).message}`);
  }
}

function headerPairs(headers: Record<string, string | string[] | undefined>): [string, string][] {
  return Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : Array.isArray(value) ? value.map((one): [string, string] => [name, one]) : [[name, value] as [string, string]]));
}
