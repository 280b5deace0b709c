import { InputStream, IoError, OutputStream, Pollable, type ByteSink, type ByteSource } from './io.ts';

/**
 * Host side of wasi:http/types 0.2 for jco-transpiled components, for the incoming direction: the
 * host builds an IncomingRequest, the guest answers through a ResponseOutparam. The outgoing
 * direction is filled in by the http-client provider, for an actor whose claims name
 * wasi:http/outgoing-handler; for every other, the ambient handler answers HTTP-request-denied.
 */

export type Method =
  | { tag: 'get' | 'head' | 'post' | 'put' | 'delete' | 'connect' | 'options' | 'trace' | 'patch' }
  | { tag: 'other'; val: string };
export type Scheme = { tag: 'HTTP' | 'HTTPS' } | { tag: 'other'; val: string };
/** wasi:http's error-code variant; the host only ever produces a few of its cases. */
export type ErrorCode = { tag: string; val?: unknown };

const STANDARD_METHODS = new Set(['get', 'head', 'post', 'put', 'delete', 'connect', 'options', 'trace', 'patch']);

export function methodFromString(method: string): Method {
  const lower = method.toLowerCase();
  return STANDARD_METHODS.has(lower) ? ({ tag: lower } as Method) : { tag: 'other', val: method };
}

export function methodToString(method: Method): string {
  return method.tag === 'other' ? method.val : method.tag.toUpperCase();
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const IMMUTABLE = { payload: { tag: 'immutable' } } as const;
const INVALID_SYNTAX = { payload: { tag: 'invalid-syntax' } } as const;
const UNIT_ERROR = { payload: undefined } as const;

/** Header names are case-insensitive and kept lower-case; values are bytes. */
export class Fields {
  #entries: [string, Uint8Array][] = [];
  #immutable = false;

  static fromList(entries: [string, Uint8Array][]): Fields {
    const fields = new Fields();
    for (const [name, value] of entries) fields.append(name, value);
    return fields;
  }

  /** Headers of an incoming message, which the guest may read but not change. */
  static frozen(entries: [string, Uint8Array][]): Fields {
    const fields = Fields.fromList(entries);
    fields.#immutable = true;
    return fields;
  }

  /** An incoming message's headers, once its exchange is over: emptied, for a guest that kept the handle. */
  retire(): void {
    if (this.#immutable) this.#entries = [];
  }

  get(name: string): Uint8Array[] {
    const key = name.toLowerCase();
    return this.#entries.filter(([entry]) => entry === key).map(([, value]) => value);
  }

  has(name: string): boolean {
    return this.get(name).length > 0;
  }

  set(name: string, values: Uint8Array[]): void {
    this.#mutable(name);
    const key = name.toLowerCase();
    this.#entries = [...this.#entries.filter(([entry]) => entry !== key), ...values.map((value): [string, Uint8Array] => [key, value.slice()])];
  }

  delete(name: string): void {
    this.#mutable(name);
    const key = name.toLowerCase();
    this.#entries = this.#entries.filter(([entry]) => entry !== key);
  }

  append(name: string, value: Uint8Array): void {
    this.#mutable(name);
    this.#entries.push([name.toLowerCase(), value.slice()]);
  }

  entries(): [string, Uint8Array][] {
    return this.#entries.map(([name, value]) => [name, value]);
  }

  clone(): Fields {
    return Fields.fromList(this.#entries);
  }

  freeze(): void {
    this.#immutable = true;
  }

  #mutable(name: string): void {
    if (this.#immutable) throw IMMUTABLE;
    if (!HEADER_NAME.test(name)) throw INVALID_SYNTAX;
  }
}

export interface IncomingRequestParts {
  readonly method: string;
  readonly pathWithQuery: string;
  readonly scheme: 'http' | 'https';
  readonly authority: string;
  readonly headers: readonly [string, string][];
  /** The whole body, or a source that delivers it as it arrives. */
  readonly body: Uint8Array | ByteSource;
}

const encoder = new TextEncoder();

/** What a request keeps once its exchange is over: its head's small parts, no headers and no body. */
const RETIRED_BODY = new Uint8Array(0);

export class IncomingRequest {
  #parts: IncomingRequestParts;
  #headers: Fields | undefined;
  #body: IncomingBody | undefined;
  #consumed = false;

  constructor(parts: IncomingRequestParts) {
    this.#parts = parts;
  }

  /**
   * Called by the host once the handler returned. A guest that never drops its request handle, or
   * its headers' (a JavaScript guest that does not dispose them), keeps these objects in its
   * instance's resource table for as long as the instance lives, request after request: what they
   * held (the headers, and the body's source, which holds node's request and response) is let go
   * here, so that only their shells stay.
   */
  retire(): void {
    this.#parts = { ...this.#parts, headers: [], body: RETIRED_BODY };
    // The guest may keep the headers' handle too: they are the request's, and go with it.
    this.#headers?.retire();
    this.#headers = undefined;
    this.#body?.retire();
    this.#body = undefined;
  }

  method(): Method {
    return methodFromString(this.#parts.method);
  }

  pathWithQuery(): string | undefined {
    return this.#parts.pathWithQuery;
  }

  scheme(): Scheme | undefined {
    return { tag: this.#parts.scheme === 'https' ? 'HTTPS' : 'HTTP' };
  }

  authority(): string | undefined {
    return this.#parts.authority;
  }

  /** Made on first use: many handlers never read a header. */
  headers(): Fields {
    return (this.#headers ??= Fields.frozen(this.#parts.headers.map(([name, value]) => [name, encoder.encode(value)])));
  }

  consume(): IncomingBody {
    if (this.#consumed) throw UNIT_ERROR;
    this.#consumed = true;
    this.#body = new IncomingBody(this.#parts.body);
    return this.#body;
  }
}

export class IncomingBody {
  #source: Uint8Array | ByteSource;
  #streamed = false;

  constructor(source: Uint8Array | ByteSource) {
    this.#source = source;
  }

  /** Its request's exchange is over: a body the guest kept without finishing lets go of its source. */
  retire(): void {
    this.#source = RETIRED_BODY;
  }

  stream(): InputStream {
    if (this.#streamed) throw UNIT_ERROR;
    this.#streamed = true;
    return new InputStream(this.#source);
  }

  static finish(_body: IncomingBody): FutureTrailers {
    return new FutureTrailers();
  }
}

/** Requests here carry no trailers, so they are known at once: none. */
export class FutureTrailers {
  subscribe(): Pollable {
    return new Pollable();
  }

  get(): { tag: 'ok'; val: { tag: 'ok'; val: undefined } } {
    return { tag: 'ok', val: { tag: 'ok', val: undefined } };
  }
}

/** Whoever sends a response: told of each chunk as the guest writes it, and of the end. */
export interface BodyConsumer extends ByteSink {
  finish(trailers: [string, Uint8Array][] | undefined): void;
}

export class OutgoingResponse {
  readonly #headers: Fields;
  #status = 200;
  #body: OutgoingBody | undefined;

  constructor(headers: Fields) {
    this.#headers = headers;
  }

  statusCode(): number {
    return this.#status;
  }

  setStatusCode(status: number): void {
    if (!Number.isInteger(status) || status < 100 || status > 999) throw UNIT_ERROR;
    this.#status = status;
  }

  headers(): Fields {
    return this.#headers;
  }

  body(): OutgoingBody {
    if (this.#body) throw UNIT_ERROR;
    this.#body = new OutgoingBody();
    return this.#body;
  }

  /** Starts delivering the body to `consumer`: what was written already, then each chunk as it comes. */
  sendBodyTo(consumer: BodyConsumer): void {
    (this.#body ??= new OutgoingBody()).sendTo(consumer);
  }

  /** True once the guest has finished the body (or never asked for one). */
  get finished(): boolean {
    return this.#body?.finished ?? false;
  }
}

/**
 * A response body. Until the host starts sending it, what the guest writes waits here; after
 * that, each chunk goes straight to the consumer, which may push back (check-write, subscribe).
 */
export class OutgoingBody {
  finished = false;
  #stream: OutputStream | undefined;
  #consumer: BodyConsumer | undefined;
  #early: Uint8Array[] = [];
  #trailers: [string, Uint8Array][] | undefined;
  readonly #sink: ByteSink = {
    write: (chunk) => (this.#consumer ? this.#consumer.write(chunk) : void this.#early.push(chunk)),
    capacity: () => (this.#consumer ? this.#consumer.capacity() : EARLY_BUDGET),
    whenWritable: () => (this.#consumer ? this.#consumer.whenWritable() : Promise.resolve()),
    failure: () => this.#consumer?.failure(),
  };

  write(): OutputStream {
    if (this.#stream) throw UNIT_ERROR;
    this.#stream = new OutputStream(this.#sink);
    return this.#stream;
  }

  sendTo(consumer: BodyConsumer): void {
    this.#consumer = consumer;
    for (const chunk of this.#early.splice(0)) consumer.write(chunk);
    if (this.finished) consumer.finish(this.#trailers);
  }

  static finish(body: OutgoingBody, trailers: Fields | undefined): void {
    body.#stream?.close();
    body.finished = true;
    body.#trailers = trailers?.entries();
    body.#consumer?.finish(body.#trailers);
  }
}

/** What a guest may write before the host sends the head of its response. */
const EARLY_BUDGET = 1 << 20;

export type ResponseResult = { tag: 'ok'; val: OutgoingResponse } | { tag: 'err'; val: ErrorCode };

export class ResponseOutparam {
  readonly #settle: (result: ResponseResult) => void;
  #set = false;

  constructor(settle: (result: ResponseResult) => void) {
    this.#settle = settle;
  }

  static set(param: ResponseOutparam, response: ResponseResult): void {
    if (param.#set) return;
    param.#set = true;
    param.#settle(response);
  }
}

export class RequestOptions {
  #timeouts: Record<'connect' | 'firstByte' | 'betweenBytes', bigint | undefined> = { connect: undefined, firstByte: undefined, betweenBytes: undefined };
  connectTimeout(): bigint | undefined { return this.#timeouts.connect; }
  setConnectTimeout(value: bigint | undefined): void { this.#timeouts.connect = value; }
  firstByteTimeout(): bigint | undefined { return this.#timeouts.firstByte; }
  setFirstByteTimeout(value: bigint | undefined): void { this.#timeouts.firstByte = value; }
  betweenBytesTimeout(): bigint | undefined { return this.#timeouts.betweenBytes; }
  setBetweenBytesTimeout(value: bigint | undefined): void { this.#timeouts.betweenBytes = value; }
}

export class OutgoingRequest {
  readonly #headers: Fields;
  #method: Method = { tag: 'get' };
  #pathWithQuery: string | undefined;
  #scheme: Scheme | undefined;
  #authority: string | undefined;
  #body: OutgoingBody | undefined;

  constructor(headers: Fields) {
    this.#headers = headers;
  }

  method(): Method { return this.#method; }
  setMethod(method: Method): void { this.#method = method; }
  pathWithQuery(): string | undefined { return this.#pathWithQuery; }
  setPathWithQuery(value: string | undefined): void { this.#pathWithQuery = value; }
  scheme(): Scheme | undefined { return this.#scheme; }
  setScheme(value: Scheme | undefined): void { this.#scheme = value; }
  authority(): string | undefined { return this.#authority; }
  setAuthority(value: string | undefined): void { this.#authority = value; }
  headers(): Fields { return this.#headers; }

  body(): OutgoingBody {
    if (this.#body) throw UNIT_ERROR;
    this.#body = new OutgoingBody();
    return this.#body;
  }

  /**
   * Starts delivering the body to `consumer` (for a provider that sends the request). A request
   * whose body the guest never took has none: the guest gave the request away, so it cannot take it now.
   */
  sendBodyTo(consumer: BodyConsumer): void {
    if (this.#body) this.#body.sendTo(consumer);
    else consumer.finish(undefined);
  }
}

/** What a provider answers an outgoing request with: the response's head and a source of its body, or why there is none. */
export type OutgoingOutcome = { readonly ok: { readonly status: number; readonly headers: readonly (readonly [string, string])[]; readonly body: ByteSource } } | { readonly err: ErrorCode };

/**
 * The response to an outgoing request, once it comes. Only a provider makes one (the ambient
 * outgoing-handler refuses every request); the guest polls it, then takes the response once.
 */
export class FutureIncomingResponse {
  #outcome: OutgoingOutcome | undefined;
  #taken = false;
  readonly #settled: Promise<void>;

  constructor(outcome: Promise<OutgoingOutcome>) {
    this.#settled = outcome.then(
      (settled) => void (this.#outcome = settled),
      (error: unknown) => void (this.#outcome = { err: { tag: 'internal-error', val: (error as Error)?.message ?? String(error) } }),
    );
  }

  subscribe(): Pollable {
    return new Pollable(
      () => this.#outcome !== undefined,
      () => this.#settled,
    );
  }

  get(): { tag: 'ok'; val: { tag: 'ok'; val: IncomingResponse } | { tag: 'err'; val: ErrorCode } } | { tag: 'err'; val: undefined } | undefined {
    const outcome = this.#outcome;
    if (outcome === undefined) return undefined;
    if (this.#taken) return { tag: 'err', val: undefined };
    this.#taken = true;
    return { tag: 'ok', val: 'ok' in outcome ? { tag: 'ok', val: new IncomingResponse(outcome.ok.status, outcome.ok.headers, outcome.ok.body) } : { tag: 'err', val: outcome.err } };
  }
}

export class IncomingResponse {
  readonly #status: number;
  readonly #headers: readonly (readonly [string, string])[];
  readonly #body: ByteSource;
  #consumed = false;

  constructor(status: number, headers: readonly (readonly [string, string])[], body: ByteSource) {
    this.#status = status;
    this.#headers = headers;
    this.#body = body;
  }

  status(): number {
    return this.#status;
  }

  headers(): Fields {
    return Fields.frozen(this.#headers.map(([name, value]) => [name, encoder.encode(value)]));
  }

  consume(): IncomingBody {
    if (this.#consumed) throw UNIT_ERROR;
    this.#consumed = true;
    return new IncomingBody(this.#body);
  }
}

export function httpErrorCode(_error: IoError): ErrorCode | undefined {
  return undefined;
}

/** The wasi:http interfaces an actor imports, keyed as jco expects (no versions). */
export function httpImports(): Record<string, Record<string, unknown>> {
  return {
    'wasi:http/types': {
      Fields,
      IncomingRequest,
      IncomingBody,
      FutureTrailers,
      OutgoingResponse,
      OutgoingBody,
      ResponseOutparam,
      OutgoingRequest,
      RequestOptions,
      FutureIncomingResponse,
      IncomingResponse,
      httpErrorCode,
    },
    // Without a link to an outgoing HTTP provider, sending is refused, as the WIT's error-code allows.
    'wasi:http/outgoing-handler': {
      handle: () => {
        throw { payload: { tag: 'HTTP-request-denied' } };
      },
    },
  };
}
