import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { HttpServerError } from '../errors.ts';
import type { ListenSpec } from './listen-spec.ts';
import { guestResponder, incomingRequestParts, mayHaveBody, requestBodySource } from './node-bridge.ts';
import type { IncomingRequestParts, OutgoingResponse } from '../wasi/http.ts';

/** How one request on the actor ended, as the actor's thread reports it. */
export type RunOutcome = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/** The actor's side, as a listener needs it: one instance, one request at a time. */
export interface RequestRunner {
  /** False when the instance is busy and its queue is full. */
  accepts(): boolean;
  /** Runs the request once the instance is free, within the deadline; `onResponse` hears the head as soon as it is set. */
  run(request: IncomingRequestParts, onResponse: (response: OutgoingResponse) => void): Promise<RunOutcome>;
}

export interface AccessEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly bytesIn: number;
  readonly remote: string;
  /** Why the host answered instead of the actor (a trap, a deadline…). */
  readonly error?: string;
}

/** Where a listener's access lines go: every request's, or only those the host answered (`error`). */
export interface AccessLog {
  readonly everyRequest: boolean;
  readonly write: (entry: AccessEntry) => void;
}

export interface ListenerStats {
  readonly openSockets: number;
  readonly inFlight: number;
}

/** The status the host answers with when the actor could not: by invocation error code. */
export const HOST_ANSWERS: Record<string, number> = { ACTOR_DEADLINE: 504, ACTOR_BUSY: 503, ACTOR_STOPPING: 503 };
const REASONS: Record<number, string> = {
  413: 'request body too large',
  500: 'internal server error',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/**
 * One listening socket in an actor's thread. With `reusePort`, every worker of the actor binds the
 * same address and the kernel spreads connections between them, so a request never crosses a
 * thread. Node's own limits answer 431 (head too large) and 408 (head too slow).
 */
export class WorkerListener {
  readonly #server: Server;
  readonly #spec: ListenSpec;
  readonly #runner: RequestRunner;
  readonly #accessLog: AccessLog;
  readonly #sockets = new Set<Socket>();
  /** When each connection's latest request began. */
  readonly #lastRequestOn = new WeakMap<Socket, number>();
  /** Responses not yet begun: a listener handing over tells their clients to reconnect. */
  readonly #unanswered = new Set<ServerResponse>();
  #handingOver = false;
  #inFlight = 0;
  #idle: (() => void) | undefined;

  private constructor(spec: ListenSpec, runner: RequestRunner, accessLog: AccessLog) {
    this.#spec = spec;
    this.#runner = runner;
    this.#accessLog = accessLog;
    this.#server = createServer(
      {
        maxHeaderSize: spec.maxHeaderBytes,
        headersTimeout: spec.headersTimeoutMs,
        requestTimeout: spec.requestTimeoutMs,
        keepAliveTimeout: spec.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, spec.headersTimeoutMs),
      },
      (request, response) => void this.#serve(request, response),
    );
    this.#server.on('timeout', (socket: Socket) => this.#timedOut(socket));
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  static open(spec: ListenSpec, runner: RequestRunner, accessLog: AccessLog): Promise<WorkerListener> {
    const listener = new WorkerListener(spec, runner, accessLog);
    return new Promise((resolve, reject) => {
      listener.#server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new HttpServerError('HTTP_ADDRESS_IN_USE', `${spec.host}:${spec.port} is already in use by another program`)
            : new HttpServerError('HTTP_LISTEN_FAILED', `cannot listen on ${spec.host}:${spec.port}: ${error.message}`),
        ),
      );
      listener.#server.listen({ host: spec.host, port: spec.port, reusePort: true }, () => resolve(listener));
    });
  }

  stats(): ListenerStats {
    return { openSockets: this.#sockets.size, inFlight: this.#inFlight };
  }

  /**
   * Stops accepting, lets the requests in flight finish, then closes every connection. When another
   * listener has taken the address over (`handover`: the actor's next version), the connections are
   * let go as a client expects instead: node:http's close would also drop the idle keep-alive ones
   * at once, racing a client's next request on them. So only the listening socket closes (after
   * accepting what the kernel queued on it), each open connection ends after its next response
   * (`connection: close`), and an idle one at its keep-alive timeout, which the client was told.
   */
  async close(handover = false): Promise<void> {
    if (handover) return this.#handOver();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handOver(): Promise<void> {
    this.#handingOver = true;
    for (const response of this.#unanswered) response.shouldKeepAlive = false;
    await new Promise((resolve) => setImmediate(resolve));
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(this.#server, () => resolve()));
    // Bounded: a client that keeps a connection open past its timeout is cut off.
    const limit = setTimeout(() => this.#server.closeAllConnections(), this.#spec.keepAliveTimeoutMs + 1000);
    await closed;
    clearTimeout(limit);
  }

  #logAccess(request: IncomingMessage, response: ServerResponse, started: number, bytesIn: number, hostError: string | undefined): void {
    this.#accessLog.write({
      method: request.method ?? '',
      path: request.url ?? '',
      status: response.headersSent ? response.statusCode : 499,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      bytesIn,
      remote: request.socket.remoteAddress ?? '',
      ...(hostError === undefined ? {} : { error: hostError }),
    });
  }

  /**
   * An idle keep-alive connection's timeout (node:http would destroy it at once). After this
   * thread was blocked (a guest in a slow import, a NATS key-value write riding out a server's
   * loss), a client's next request may be waiting unread on a connection whose timeout fired
   * meanwhile, and destroying it then resets that request (ECONNRESET; seen in the cluster failover
   * test, not reproduced in isolation). So the connection goes only if it is still idle once the
   * event loop has read what arrived.
   */
  #timedOut(socket: Socket): void {
    const fired = performance.now();
    setImmediate(() => {
      if ((this.#lastRequestOn.get(socket) ?? Number.NEGATIVE_INFINITY) < fired) socket.destroy();
    });
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    this.#lastRequestOn.set(request.socket, started);
    this.#inFlight++;
    if (this.#handingOver) response.shouldKeepAlive = false;
    this.#unanswered.add(response);
    let hostError: string | undefined;
    let bytesIn = 0;
    response.once('close', () => {
      if (this.#accessLog.everyRequest || hostError !== undefined) this.#logAccess(request, response, started, bytesIn, hostError);
      this.#unanswered.delete(response);
      if (--this.#inFlight === 0) this.#idle?.();
    });
    const answer = (status: number, reason: string, closeConnection = false) => {
      hostError = reason;
      if (response.headersSent) return void response.destroy();
      const body = `${status} ${REASONS[status] ?? 'error'}\n`;
      response.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        ...(closeConnection ? { connection: 'close' } : {}),
        ...(status === 503 ? { 'retry-after': '1' } : {}),
      });
      response.end(body);
    };

    const declared = Number(request.headers['content-length'] ?? 0);
    // Answered before reading a byte, and the connection closed, so the rest is never read.
    if (declared > this.#spec.maxBodyBytes) return answer(413, `declared body of ${declared} bytes is over the limit`, true);
    if (!this.#runner.accepts()) return answer(503, 'the actor is busy and its queue is full');

    const body = mayHaveBody(request)
      ? requestBodySource(request, this.#spec.maxBodyBytes, (reason) => {
          if (reason === 'over-limit') answer(413, 'the body grew over the limit', true);
        })
      : undefined;
    // node:http refuses a malformed header name or value: the actor's fault, answered 500.
    const responder = guestResponder(response, (reason) => answer(500, reason));
    const outcome = await this.#runner.run(incomingRequestParts(request, `${this.#spec.host}:${this.#spec.port}`, body), responder.onResponse);
    bytesIn = body?.received ?? 0;
    if (!outcome.ok) return answer(HOST_ANSWERS[outcome.code] ?? 500, `${outcome.code}: ${outcome.message}`);
    responder.finish();
  }
}
