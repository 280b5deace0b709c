import { describe, expect, it } from 'vitest';
import { allowsRequest, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS, parseHttpClientLinkConfig } from '../../../providers/http-client/index.ts';

describe('http-client link config', () => {
  it('reads allowed_hosts, timeout_ms, max_body_bytes and tls_ca, with defaults for the last three', () => {
    const config = parseHttpClientLinkConfig({ allowed_hosts: '127.0.0.1:*', timeout_ms: '2500', max_body_bytes: '1024', tls_ca: '/etc/badger/ca.pem' });
    expect(config).toMatchObject({ timeoutMs: 2500, maxBodyBytes: 1024, tlsCa: '/etc/badger/ca.pem' });
    expect(allowsRequest(config.allowedHosts, 'http', '127.0.0.1:4000')).toBe(true);
    expect(parseHttpClientLinkConfig({ allowed_hosts: 'api.example.com' })).toEqual({
      allowedHosts: [{ host: 'api.example.com', subdomains: false, port: undefined }],
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    });
  });

  it('refuses a link with no allowed_hosts, an unknown key, or a bad value, naming the key', () => {
    for (const [config, named] of [
      [{}, 'allowed_hosts is required'],
      [{ allowed_host: 'api.example.com' }, 'unknown key allowed_host'],
      [{ allowed_hosts: 'a.example', timeout_ms: '0' }, 'timeout_ms="0"'],
      [{ allowed_hosts: 'a.example', max_body_bytes: '1e6' }, 'max_body_bytes="1e6"'],
      [{ allowed_hosts: 'a.example', tls_ca: 'ca.pem' }, 'tls_ca="ca.pem"'],
    ] as const) {
      expect(() => parseHttpClientLinkConfig(config), JSON.stringify(config)).toThrow(expect.objectContaining({ code: 'HTTP_CLIENT_BAD_LINK_CONFIG', message: expect.stringContaining(named) }));
    }
  });
});
