import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fields, OutgoingRequest, type FutureIncomingResponse, type IncomingResponse } from '../../host/wasi/http.ts';
import { httpClientContract } from '../../providers/http-client/index.ts';

// An allowed server answers with a redirect to one the link does not allow: the request must stop there.
let allowed: Server;
let forbidden: Server;
let forbiddenHits = 0;
let allowedAuthority: string;
let forbiddenAuthority: string;

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  forbidden = createServer((_request, response) => {
    forbiddenHits++;
    response.end('secret');
  });
  forbiddenAuthority = await listen(forbidden);
  allowed = createServer((_request, response) => {
    response.writeHead(302, { location: `http://${forbiddenAuthority}/secret` });
    response.end();
  });
  allowedAuthority = await listen(allowed);
});

afterAll(async () => {
  for (const server of [allowed, forbidden]) await new Promise((resolve) => server.close(resolve));
});

describe('an outgoing request redirected to a host the link does not allow', () => {
  it('hands the guest the redirect itself and never contacts the other host', async () => {
    const handle = httpClientContract.guestImports(() => ({ allowed_hosts: allowedAuthority }))['wasi:http/outgoing-handler']!.handle as (request: OutgoingRequest) => FutureIncomingResponse;
    const request = new OutgoingRequest(new Fields());
    request.setScheme({ tag: 'HTTP' });
    request.setAuthority(allowedAuthority);
    request.setPathWithQuery('/');
    const future = handle(request);
    await future.subscribe().whenReady();
    const result = future.get() as { tag: 'ok'; val: { tag: 'ok'; val: IncomingResponse } };
    expect(result.val.tag).toBe('ok');
    const response = result.val.val;
    expect(response.status()).toBe(302);
    expect(new TextDecoder().decode(response.headers().get('location')[0])).toBe(`http://${forbiddenAuthority}/secret`);
    expect(forbiddenHits).toBe(0);
    // And the guest cannot follow it by hand.
    const followed = new OutgoingRequest(new Fields());
    followed.setScheme({ tag: 'HTTP' });
    followed.setAuthority(forbiddenAuthority);
    expect(() => handle(followed)).toThrow(expect.objectContaining({ payload: { tag: 'HTTP-request-denied' } }));
    expect(forbiddenHits).toBe(0);
  });
});
