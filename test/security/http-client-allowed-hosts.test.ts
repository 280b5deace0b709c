import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { allowsRequest, HttpClientSender, parseAllowedHosts, parseHttpClientLinkConfig } from '../../providers/http-client/index.ts';

// Authorities a guest could write to reach a host it was not given, while looking like one it was.
describe('an outgoing request whose authority tries to pass for an allowed host', () => {
  const patterns = parseAllowedHosts('api.example.com,*.cdn.example.com');
  const attacks = [
    'api.example.com@evil.example',
    'evil.example#api.example.com',
    'evil.example/api.example.com',
    'evil.example?api.example.com',
    'api.example.com.evil.example',
    'evil-api.example.com',
    'evilcdn.example.com',
    ' api.example.com',
    'api.example.com ',
    'api.example.com\t',
    'api.example.com\u0000.evil.example',
    'api.example.com:0',
    'api.example.com:65536',
    'api.example.com:',
    'api.example.com..',
    '',
    '2130706433',
    '127.1',
    '[::ffff:127.0.0.1]',
  ];
  it.each(attacks)('refuses %j', (authority) => {
    expect(allowsRequest(patterns, 'https', authority)).toBe(false);
  });
});

describe('an outgoing request whose headers try to reach another host', () => {
  it('goes to the authority allowed_hosts checked, whatever Host header the guest set', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers.host);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const authority = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sender = await HttpClientSender.open(parseHttpClientLinkConfig({ allowed_hosts: '127.0.0.1:*' }));
    try {
      const outcome = await sender.send({ method: 'GET', scheme: 'http', authority, pathWithQuery: '/', headers: [['Host', 'internal-admin.example'], ['transfer-encoding', 'chunked']] });
      expect(outcome).toMatchObject({ ok: { status: 200 } });
      expect(seen).toEqual([authority]);
    } finally {
      await sender.close();
      server.close();
    }
  });
});
