import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, parseHttpLinkConfig } from '../../../providers/http-server/index.ts';

describe('HTTP link config', () => {
  it('defaults to 127.0.0.1:8000 with a 10 MiB body limit', () => {
    expect(parseHttpLinkConfig({})).toMatchObject({ host: '127.0.0.1', port: 8000, maxBodyBytes: DEFAULT_MAX_BODY_BYTES, maxHeaderBytes: 16384 });
    expect(DEFAULT_MAX_BODY_BYTES).toBe(10 * 1024 * 1024);
  });

  it('reads addresses, IPv6 included, and each limit', () => {
    expect(parseHttpLinkConfig({ address: '0.0.0.0:8080', 'max-body-bytes': '1024', 'headers-timeout-ms': '500' })).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      maxBodyBytes: 1024,
      headersTimeoutMs: 500,
    });
    expect(parseHttpLinkConfig({ address: '[::1]:9000' })).toMatchObject({ host: '::1', port: 9000 });
    expect(parseHttpLinkConfig({ address: 'localhost:0' })).toMatchObject({ host: 'localhost', port: 0 });
  });

  it('names the key of every bad value, and refuses keys it does not know', () => {
    const refusal = (config: Record<string, string>) => {
      try {
        parseHttpLinkConfig(config);
      } catch (error) {
        return { code: (error as { code: string }).code, message: (error as Error).message };
      }
      throw new Error('accepted');
    };
    expect(refusal({ address: '8080' })).toMatchObject({ code: 'HTTP_BAD_LINK_CONFIG', message: expect.stringContaining('address="8080"') });
    expect(refusal({ address: '127.0.0.1:70000' }).message).toContain('not host:port');
    expect(refusal({ 'max-body-bytes': '-5' }).message).toContain('max-body-bytes="-5"');
    expect(refusal({ 'max-body-bytes': '1e3' }).message).toContain('not a positive whole number');
    expect(refusal({ adress: '127.0.0.1:80' }).message).toContain('unknown link config adress');
  });
});
