import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken, stripTokenSections } from '../../../claims/index.ts';
import type { HandledResponse, Host } from '../../../host/index.ts';
import { Fields, OutgoingBody, OutgoingRequest, RequestOptions, type FutureIncomingResponse, type IncomingResponse } from '../../../host/wasi/http.ts';
import { httpClientContract, httpClientProvider } from '../../../providers/http-client/index.ts';
import { builtActor } from '../../actors/built-actors.ts';
import { testHost } from '../../fixtures/shared-thread-host.ts';

const FIVE_MIB = 5 * 1024 * 1024;
/** Listens on loopback with room for one finished handshake, says its port, and never accepts (its thread sleeps). */
const UNACCEPTING_LISTENER = `
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
});`;
let server: Server;
let authority: string;
const sockets = new Set<Socket>();
const hosts: Host[] = [];
let fetcherBytes: Uint8Array;
let fetcherCaps: string[];

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/never') return; // holds the request without answering
    if (request.url === '/small') return response.end(Buffer.alloc(1024, 's'));
    if (request.url === '/big') {
      // Streamed out in 64 KiB writes.
      let sent = 0;
      const more = () => {
        while (sent < FIVE_MIB) {
          sent += 64 * 1024;
          if (!response.write(Buffer.alloc(64 * 1024, sent & 0xff))) return void response.once('drain', more);
        }
        response.end();
      };
      return more();
    }
    const hash = createHash('sha256');
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      hash.update(chunk);
    });
    request.on('end', () => response.end(JSON.stringify({ method: request.method, length, sha256: hash.digest('hex') })));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  authority = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const built = await readFile(builtActor('fetcher'));
  fetcherBytes = stripTokenSections(built);
  fetcherCaps = [...(decodeClaimsToken(readTopLevelToken(built)!).wascap.caps ?? [])];
});

afterAll(async () => {
  for (const host of hosts) await host.shutdown();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

/**
 * A listener whose process never accepts, with its queue of finished handshakes filled: the kernel
 * drops every further SYN, and a connect to it waits until the client gives up.
 */
async function unacceptingListener(): Promise<{ port: number; stop(): void }> {
  const listener = spawn(process.execPath, ['-e', UNACCEPTING_LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const queued: Socket[] = [];
  const stop = () => {
    for (const socket of queued) socket.destroy();
    listener.kill('SIGKILL');
  };
  try {
    const [line] = (await once(createInterface({ input: listener.stdout! }), 'line')) as [string];
    const port = Number(line);
    for (let i = 0; i < 8; i++) {
      const socket = connect(port, '127.0.0.1');
      queued.push(socket);
      const connected = await Promise.race([once(socket, 'connect').then(() => true), sleep(500).then(() => false)]);
      if (!connected) break;
    }
    return { port, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

async function fetcherHost(caps = fetcherCaps): Promise<{ host: Host; provider: ReturnType<typeof httpClientProvider>; fetcher: { id: string } }> {
  const test = await testHost();
  hosts.push(test.host);
  const provider = httpClientProvider();
  await test.host.startProvider(provider);
  const fetcher = await test.host.startActor(await test.signed('fetcher', fetcherBytes, caps));
  return { host: test.host, provider, fetcher };
}

async function send(host: Host, actor: string, method: string, path: string, body = new Uint8Array()): Promise<{ status: number; json: Record<string, unknown> }> {
  const result = await host.invoke(actor, { kind: 'http', request: { method, pathWithQuery: path, scheme: 'http', authority: 'test', headers: [], body } });
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  const response = result.value as HandledResponse;
  return { status: response.status, json: JSON.parse(new TextDecoder().decode(response.body)) };
}

describe('fetcher through the host and the http-client provider, against a real node:http server', () => {
  it('GETs a small and a 5 MiB streamed body, and POSTs 5 MiB that arrives whole', async () => {
    const { host, provider, fetcher } = await fetcherHost();
    await host.putLink({ source: fetcher.id, interface: 'wasi:http/outgoing-handler', target: provider.id, config: { allowed_hosts: authority } });
    expect(await send(host, fetcher.id, 'GET', `/fetch?url=http://${authority}/small`)).toEqual({ status: 200, json: { status: 200, length: 1024 } });
    expect(await send(host, fetcher.id, 'GET', `/fetch?url=http://${authority}/big`)).toEqual({ status: 200, json: { status: 200, length: FIVE_MIB } });
    const body = new Uint8Array(FIVE_MIB).map((_, i) => (i * 31) & 0xff);
    const posted = await send(host, fetcher.id, 'POST', `/fetch?url=http://${authority}/count`, body);
    expect(posted.status).toBe(200);
    // The server's answer is JSON of the body it received; the fetcher reports its length.
    expect(posted.json.status).toBe(200);
    expect(posted.json.length).toBe(JSON.stringify({ method: 'POST', length: FIVE_MIB, sha256: createHash('sha256').update(body).digest('hex') }).length);
  }, 120_000);

  it('refuses a host the link does not allow, and every host without a link', async () => {
    const { host, provider, fetcher } = await fetcherHost();
    const unlinked = await send(host, fetcher.id, 'GET', `/fetch?url=http://${authority}/small`);
    expect(unlinked).toEqual({ status: 502, json: { error: 'HTTP-request-denied' } });
    await host.putLink({ source: fetcher.id, interface: 'wasi:http/outgoing-handler', target: provider.id, config: { allowed_hosts: 'example.com' } });
    const refused = await send(host, fetcher.id, 'GET', `/fetch?url=http://${authority}/small`);
    expect(refused).toEqual({ status: 502, json: { error: 'HTTP-request-denied' } });
    await host.putLink({ source: fetcher.id, interface: 'wasi:http/outgoing-handler', target: provider.id, config: { allowed_hosts: authority } });
    expect((await send(host, fetcher.id, 'GET', `/fetch?url=http://${authority}/small`)).status).toBe(200);
  }, 120_000);

  it('refuses at link put an actor whose claims do not name wasi:http/outgoing-handler, and a link that allows nothing', async () => {
    const unclaimed = await fetcherHost(fetcherCaps.filter((cap) => cap !== 'wasi:http/outgoing-handler'));
    await expect(unclaimed.host.putLink({ source: unclaimed.fetcher.id, interface: 'wasi:http/outgoing-handler', target: unclaimed.provider.id, config: { allowed_hosts: authority } })).rejects.toMatchObject({
      code: 'POLICY_CAPABILITY_DENIED',
      message: expect.stringContaining('--cap wasi:http/outgoing-handler'),
    });
    // Its fetches still answer, refused by the host's own handler.
    expect((await send(unclaimed.host, unclaimed.fetcher.id, 'GET', `/fetch?url=http://${authority}/small`)).status).toBe(502);

    const claimed = await fetcherHost();
    await expect(claimed.host.putLink({ source: claimed.fetcher.id, interface: 'wasi:http/outgoing-handler', target: claimed.provider.id, config: {} })).rejects.toMatchObject({
      code: 'HTTP_CLIENT_BAD_LINK_CONFIG',
      message: expect.stringContaining('allowed_hosts is required'),
    });
  }, 120_000);
});

describe('fetch-wat, an actor with no language runtime (the one the providers bench holds to its goal)', () => {
  it('GETs a small and a 5 MiB body with the status and the length read to the end, and names a refusal by its error code', async () => {
    const test = await testHost();
    hosts.push(test.host);
    const provider = httpClientProvider();
    await test.host.startProvider(provider);
    const built = await readFile(builtActor('fetch-wat'));
    const actor = await test.host.startActor(await test.signed('fetch-wat', stripTokenSections(built), [...(decodeClaimsToken(readTopLevelToken(built)!).wascap.caps ?? [])]));
    await test.host.putLink({ source: actor.id, interface: 'wasi:http/outgoing-handler', target: provider.id, config: { allowed_hosts: authority } });
    const get = async (target: string, path: string) => {
      const result = await test.host.invoke(actor.id, { kind: 'call', name: 'fetch.get', args: [target, path] });
      if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
      return result.value;
    };
    expect(await get(authority, '/small')).toEqual({ ok: { status: 200, length: 1024n } });
    expect(await get(authority, '/big')).toEqual({ ok: { status: 200, length: BigInt(FIVE_MIB) } });
    // HTTP-request-denied is case 15 of wasi:http's error-code.
    expect(await get('127.0.0.2:1', '/small')).toEqual({ err: 'wasi:http error-code 15' });
    // The calls before left nothing behind: the same instance goes on answering.
    expect(await get(authority, '/small')).toEqual({ ok: { status: 200, length: 1024n } });

    // A server that never takes the connection: the link's timeout gives connection-timeout (case 8).
    const silent = await unacceptingListener();
    try {
      await test.host.putLink({ source: actor.id, interface: 'wasi:http/outgoing-handler', target: provider.id, config: { allowed_hosts: '127.0.0.1:*', timeout_ms: '300' } });
      expect(await get(`127.0.0.1:${silent.port}`, '/')).toEqual({ err: 'wasi:http error-code 08' });
    } finally {
      silent.stop();
    }
  }, 120_000);
});

/** The guest side as an actor's thread runs it, called with the request a guest built. */
describe('the outgoing-handler guest side, answering with wasi:http error codes', () => {
  const handle = (config: Record<string, string>) =>
    (httpClientContract.guestImports((_iface, operation) => (operation === 'link-config' ? config : undefined))['wasi:http/outgoing-handler']!.handle as (request: OutgoingRequest, options?: RequestOptions) => FutureIncomingResponse);

  const outgoing = (target: string, path: string) => {
    const request = new OutgoingRequest(new Fields());
    request.setScheme({ tag: 'HTTP' });
    request.setAuthority(target);
    request.setPathWithQuery(path);
    return request;
  };

  async function outcome(future: FutureIncomingResponse) {
    await future.subscribe().whenReady();
    return future.get();
  }

  it('answers HTTP-request-denied for a host its link does not allow', () => {
    expect(() => handle({ allowed_hosts: 'example.com' })(outgoing(authority, '/small'))).toThrow(expect.objectContaining({ payload: { tag: 'HTTP-request-denied' } }));
  });

  it('answers a server that never answers with a timeout error code once the request options\' first-byte timeout passes', async () => {
    const options = new RequestOptions();
    options.setFirstByteTimeout(300_000_000n);
    const request = outgoing(authority, '/never');
    OutgoingBody.finish(request.body(), undefined);
    const result = await outcome(handle({ allowed_hosts: authority })(request, options));
    expect(result).toEqual({ tag: 'ok', val: { tag: 'err', val: { tag: 'connection-read-timeout' } } });
  });

  it('answers connection-timeout for a server that never takes the connection, once the request options\' connect timeout passes', async () => {
    const { port, stop } = await unacceptingListener();
    try {
      const options = new RequestOptions();
      options.setConnectTimeout(300_000_000n);
      const request = outgoing(`127.0.0.1:${port}`, '/');
      OutgoingBody.finish(request.body(), undefined);
      // The link would wait ten minutes: only the request's own connect timeout ends this test in time.
      const result = await outcome(handle({ allowed_hosts: '127.0.0.1:*', timeout_ms: '600000' })(request, options));
      expect(result).toEqual({ tag: 'ok', val: { tag: 'err', val: { tag: 'connection-timeout' } } });
    } finally {
      stop();
    }
  }, 30_000);

  it('answers connection-refused for a port nothing listens on', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await outcome(handle({ allowed_hosts: '127.0.0.1:*' })(outgoing(`127.0.0.1:${port}`, '/')));
    expect(result).toEqual({ tag: 'ok', val: { tag: 'err', val: { tag: 'connection-refused' } } });
  });

  it('fails a guest reading a response body past max_body_bytes, with the reason, having read only the limit', async () => {
    const result = (await outcome(handle({ allowed_hosts: authority, max_body_bytes: '100000' })(outgoing(authority, '/big')))) as { val: { val: IncomingResponse } };
    const stream = result.val.val.consume().stream();
    let read = 0;
    let failure: unknown;
    for (let turns = 0; turns < 10_000 && failure === undefined; turns++) {
      await stream.subscribe().whenReady();
      try {
        read += stream.read(65_536n).length;
      } catch (error) {
        failure = error;
      }
    }
    expect(read).toBeLessThanOrEqual(100_000);
    expect((failure as { payload: { tag: string; val: { toDebugString(): string } } }).payload.val.toDebugString()).toBe("the response body is over the link's limit of 100000 bytes (max_body_bytes)");
  });
});
