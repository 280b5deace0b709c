import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClientSender, parseHttpClientLinkConfig, wasiErrorCodeOf } from '../../../providers/http-client/index.ts';

let server: Server;
let authority: string;
let connections = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/never') return; // holds the request without answering
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (request.url === '/big') return response.end(Buffer.alloc(4096, 'x'));
      response.writeHead(200, { 'content-type': 'text/plain', 'x-method': request.method ?? '' });
      response.end(request.method === 'POST' ? body : `hello ${request.url}`);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  authority = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const request = (pathWithQuery: string, more: Partial<Parameters<HttpClientSender['send']>[0]> = {}) => ({ method: 'GET', scheme: 'http', authority, pathWithQuery, headers: [], ...more });

describe('http-client sender, against a real node:http server', () => {
  it('sends GETs and a POST with a body, over kept-alive connections rather than one per request', async () => {
    const sender = await HttpClientSender.open(parseHttpClientLinkConfig({ allowed_hosts: '127.0.0.1:*' }));
    try {
      const before = connections;
      const got = await sender.send(request('/a?b=c'));
      expect(got).toMatchObject({ ok: { status: 200 } });
      if (!('ok' in got)) throw new Error('no response');
      expect(Buffer.from(got.ok.body).toString()).toBe('hello /a?b=c');
      expect(got.ok.headers).toContainEqual(['x-method', 'GET']);
      const body = new Uint8Array(256 * 1024).fill(7);
      const posted = await sender.send(request('/echo', { method: 'POST', body, headers: [['content-type', 'application/octet-stream']] }));
      if (!('ok' in posted)) throw new Error(`POST failed: ${JSON.stringify(posted)}`);
      expect(Buffer.from(posted.ok.body).equals(Buffer.from(body))).toBe(true);
      for (let i = 0; i < 20; i++) expect(await sender.send(request(`/${i}`))).toMatchObject({ ok: { status: 200 } });
      // undici may open a second connection while the first is being handed back to its pool.
      expect(connections - before).toBeLessThanOrEqual(2);
    } finally {
      await sender.close();
    }
  });

  it('keeps a pool for each connect timeout a request asks for, the link\'s and the last few others, and closes them all', async () => {
    const sender = await HttpClientSender.open(parseHttpClientLinkConfig({ allowed_hosts: '127.0.0.1:*', timeout_ms: '5000' }));
    try {
      const before = connections;
      // Six other timeouts: the oldest pools are closed as newer ones come, and every request is answered.
      for (const connectTimeoutMs of [100, 200, 300, 400, 500, 600, 5000, 99_999]) {
        expect(await sender.send(request('/t', { connectTimeoutMs }))).toMatchObject({ ok: { status: 200 } });
      }
      // A connection of its own for each pool: six others and the link's (over the link's is the link's).
      expect(connections - before).toBeGreaterThanOrEqual(7);
    } finally {
      await sender.close();
    }
    expect(await sender.send(request('/after'))).toEqual({ err: { tag: 'internal-error', val: "the link's HTTP client is closed" } });
  });

  it('refuses a host the link does not allow, without connecting', async () => {
    const sender = await HttpClientSender.open(parseHttpClientLinkConfig({ allowed_hosts: 'api.example.com' }));
    const before = connections;
    expect(await sender.send(request('/'))).toEqual({ err: { tag: 'HTTP-request-denied' } });
    expect(connections).toBe(before);
    await sender.close();
  });

  it('answers a server that never answers, a refused connection and a body over the limit with their error codes', async () => {
    const sender = await HttpClientSender.open(parseHttpClientLinkConfig({ allowed_hosts: '127.0.0.1:*', timeout_ms: '300', max_body_bytes: '1024' }));
    try {
      expect(await sender.send(request('/never'))).toEqual({ err: { tag: 'connection-read-timeout' } });
      // A port nothing listens on: the one a server just let go of.
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      expect(await sender.send(request('/', { authority: `127.0.0.1:${port}` }))).toEqual({ err: { tag: 'connection-refused' } });
      expect(await sender.send(request('/big'))).toMatchObject({ err: { tag: 'HTTP-response-body-size' } });
      expect(await sender.send(request('/echo', { method: 'POST', body: new Uint8Array(2048) }))).toEqual({ err: { tag: 'HTTP-request-body-size', val: 2048n } });
    } finally {
      await sender.close();
    }
  });

  it('refuses a tls_ca it cannot read, naming it', async () => {
    await expect(HttpClientSender.open(parseHttpClientLinkConfig({ allowed_hosts: 'a.example', tls_ca: '/nonexistent/ca.pem' }))).rejects.toMatchObject({
      code: 'HTTP_CLIENT_BAD_LINK_CONFIG',
      message: expect.stringContaining('tls_ca="/nonexistent/ca.pem" cannot be read'),
    });
  });
});

describe('wasi:http error codes', () => {
  it('come from the error code, or from its cause when a wrapper has none this table knows', () => {
    expect(wasiErrorCodeOf(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toEqual({ tag: 'connection-refused' });
    expect(wasiErrorCodeOf(new TypeError('fetch failed', { cause: Object.assign(new Error('y'), { code: 'ENOTFOUND' }) }))).toEqual({ tag: 'DNS-error', val: { rcode: 'NXDOMAIN' } });
    expect(wasiErrorCodeOf(Object.assign(new Error('z'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }))).toEqual({ tag: 'TLS-protocol-error' });
    expect(wasiErrorCodeOf(new Error('something else'))).toEqual({ tag: 'internal-error', val: 'something else' });
  });
});
