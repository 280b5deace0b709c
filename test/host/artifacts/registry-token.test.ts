import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../host/artifacts/registry-client.ts';

// The Docker Registry token flow, as ghcr.io and Docker Hub run it: a 401 naming a token realm, a
// token from there (for credentials, when given), then the call again with the token.
const requests: { path: string; authorization?: string }[] = [];
let base = '';
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const url = new URL(request.url!, 'http://x');
  requests.push({ path: url.pathname + url.search, ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) });
  if (url.pathname === '/token') {
    const expected = `Basic ${Buffer.from('bob:builder').toString('base64')}`;
    if (request.headers.authorization && request.headers.authorization !== expected) return response.writeHead(401).end();
    const token = request.headers.authorization ? `full-${url.searchParams.get('scope')}` : `anonymous-${url.searchParams.get('scope')}`;
    return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
  }
  const scope = `repository:${url.pathname.split('/').slice(2, 4).join('/')}:pull`;
  if (request.headers.authorization !== `Bearer full-${scope}` && !(url.pathname.includes('public') && request.headers.authorization === `Bearer anonymous-${scope}`)) {
    return response.writeHead(401, { 'www-authenticate': `Bearer realm="${base}/token",service="test-registry",scope="${scope}"` }).end();
  }
  response.writeHead(200).end('served');
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('bearer tokens from the registry\'s token service', () => {
  it('fetches a token with the credentials, for the scope the registry names, and a new one for another scope', async () => {
    const client = new RegistryClient(base, { credentials: { username: 'bob', password: 'builder', source: '--user' } });
    const first = await client.send('/v2/team/app/manifests/1', {}, 'pulling');
    expect(new TextDecoder().decode(await first.body(100, 'x'))).toBe('served');
    expect(requests.find((request) => request.path.startsWith('/token'))).toEqual({ path: '/token?service=test-registry&scope=repository%3Ateam%2Fapp%3Apull', authorization: `Basic ${Buffer.from('bob:builder').toString('base64')}` });
    requests.length = 0;
    (await client.send('/v2/team/other/manifests/1', {}, 'pulling')).discard();
    expect(requests.map((request) => request.path)).toEqual(['/v2/team/other/manifests/1', '/token?service=test-registry&scope=repository%3Ateam%2Fother%3Apull', '/v2/team/other/manifests/1']);
  });

  it('gets an anonymous token without credentials, and names the fix when the repository needs more', async () => {
    const client = new RegistryClient(base);
    expect((await client.send('/v2/team/public/manifests/1', {}, 'pulling')).response.status).toBe(200);
    await expect(client.send('/v2/team/private/manifests/1', {}, 'pulling team/private')).rejects.toMatchObject({ code: 'ARTIFACT_REGISTRY_AUTH', message: expect.stringContaining('needs credentials') });
  });

  it('says whose credentials the token service refused', async () => {
    const client = new RegistryClient(base, { credentials: { username: 'bob', password: 'wrong', source: 'BADGER_REGISTRY_USER' } });
    await expect(client.send('/v2/team/app/manifests/1', {}, 'pulling team/app')).rejects.toMatchObject({ code: 'ARTIFACT_REGISTRY_AUTH', message: expect.stringContaining('refused the credentials of BADGER_REGISTRY_USER (user bob)') });
  });
});
