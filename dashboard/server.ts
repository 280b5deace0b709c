import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import type { ControlRequest } from '../host/index.ts';
import { networkInterfaces } from 'node:os';
import { allowed, hostAllowed, hostAllowList, isLoopback, sameOrigin, TOKEN_COOKIE } from './access.ts';
import { PAGE_ACTIONS, type DashboardSource } from './view.ts';

export interface DashboardOptions {
  readonly source: DashboardSource;
  /** The built page's folder (builtPage). */
  readonly pageDir: string;
  readonly bind: string;
  readonly port: number;
  /** Required when `bind` is not loopback; one is made up when none is given. */
  readonly token?: string;
  /** Names the dashboard is reached by beyond loopback and `bind` (a Pi's `pi.local`, say). */
  readonly publicHosts?: readonly string[];
}

export interface RunningDashboard {
  readonly url: string;
  /** The token, when the dashboard asks for one. */
  readonly token: string | undefined;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.ico': 'image/x-icon' };
const MAX_ACTION_BYTES = 64 * 1024;

/**
 * Serves the dashboard: the page, `GET /api/view`, `GET /api/events` (Server-Sent Events),
 * `GET /api/snapshot?provider=ID` and `POST /api/actions`. Bound to loopback it is open to this
 * machine; bound elsewhere, every request needs the token.
 */
export async function serveDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const token = options.token ?? (isLoopback(options.bind) ? undefined : randomBytes(18).toString('base64url'));
  const streams = new Set<ServerResponse>();
  const interfaceAddresses = Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((address) => address.address));
  const hosts = hostAllowList(options.bind, options.publicHosts ?? [], interfaceAddresses);
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => json(response, 500, { ok: false, code: 'DASHBOARD_INTERNAL', message: (error as Error).message }));
  });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // Before anything else: a page served under another name (DNS rebinding) gets nothing, not even the view.
    if (!hostAllowed(request.headers.host, hosts)) {
      return json(response, 421, { ok: false, code: 'DASHBOARD_WRONG_HOST', message: `this dashboard answers to ${hosts.join(', ')}; give others with --public-host` });
    }
    const url = new URL(request.url ?? '/', 'http://dashboard');
    const queryToken = url.searchParams.get('token');
    if (!allowed(token, { authorization: request.headers.authorization, cookie: request.headers.cookie, queryToken })) {
      return json(response, 401, { ok: false, code: 'DASHBOARD_TOKEN_REQUIRED', message: 'this dashboard needs its token: open the URL badger ui printed, with ?token=' });
    }
    // The page's own requests carry the token as a cookie from then on, so it leaves the address bar.
    if (token && queryToken) response.setHeader('set-cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    if (url.pathname === '/api/view' && request.method === 'GET') return json(response, 200, await options.source.view());
    if (url.pathname === '/api/snapshot' && request.method === 'GET') {
      const provider = url.searchParams.get('provider');
      if (!provider) return json(response, 400, { ok: false, code: 'DASHBOARD_BAD_REQUEST', message: 'name the display provider: ?provider=ID' });
      return options.source.snapshot(provider).then(
        (snapshot) => json(response, 200, snapshot),
        (error: { code?: string; message: string }) => json(response, 404, { ok: false, code: error.code ?? 'DASHBOARD_NO_SNAPSHOT', message: error.message }),
      );
    }
    if (url.pathname === '/api/events' && request.method === 'GET') return streamEvents(response);
    if (url.pathname === '/api/actions' && request.method === 'POST') return act(request, response);
    return servePage(url.pathname, response);
  };

  const streamEvents = (response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.write(': connected\n\n');
    streams.add(response);
    const stop = options.source.onEvent((event) => response.write(`data: ${JSON.stringify(event)}\n\n`));
    response.once('close', () => {
      stop();
      streams.delete(response);
    });
  };

  const act = async (request: IncomingMessage, response: ServerResponse) => {
    if (!sameOrigin(request.headers['content-type'], request.headers.origin, hosts)) {
      return json(response, 403, { ok: false, code: 'DASHBOARD_FORBIDDEN', message: 'actions come from the dashboard page: JSON, from its own origin' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_ACTION_BYTES) return json(response, 413, { ok: false, code: 'DASHBOARD_BAD_REQUEST', message: 'the action is too large' });
      chunks.push(chunk);
    }
    let body: { host?: unknown; request?: { op?: unknown } };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return json(response, 400, { ok: false, code: 'DASHBOARD_BAD_REQUEST', message: 'the action is not JSON' });
    }
    if (typeof body.host !== 'string' || !PAGE_ACTIONS.includes(body.request?.op as never)) {
      return json(response, 400, { ok: false, code: 'DASHBOARD_BAD_REQUEST', message: `an action is {"host": "N…", "request": {"op": one of ${PAGE_ACTIONS.join(', ')}, …}}` });
    }
    const answer = await options.source.act(body.host, body.request as ControlRequest).catch((error: { code?: string; message: string }) => ({ ok: false as const, code: error.code ?? 'LATTICE_UNAVAILABLE', message: error.message }));
    return json(response, answer.ok ? 200 : 422, answer);
  };

  const servePage = async (path: string, response: ServerResponse) => {
    const relative = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(options.pageDir, relative));
      response.writeHead(200, { 'content-type': TYPES[extname(relative)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      response.end(body);
    } catch {
      json(response, 404, { ok: false, code: 'DASHBOARD_NOT_FOUND', message: `no ${path} here` });
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bind, () => resolve());
  });
  const { port } = server.address() as { port: number };
  const host = options.bind.includes(':') ? `[${options.bind}]` : options.bind === '0.0.0.0' ? '127.0.0.1' : options.bind;
  return {
    url: `http://${host}:${port}/${token ? `?token=${token}` : ''}`,
    token,
    async close() {
      for (const stream of streams) stream.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A browser keeps idle connections open: they would hold the close up.
      server.closeAllConnections();
      await closed;
      await options.source.close();
    },
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
