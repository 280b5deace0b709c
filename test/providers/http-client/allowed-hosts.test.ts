import { describe, expect, it } from 'vitest';
import { allowsRequest, parseAllowedHosts } from '../../../providers/http-client/index.ts';

describe('allowed_hosts', () => {
  it('allows a listed host on its scheme default port, a listed port, or any port with :*', () => {
    const patterns = parseAllowedHosts('api.example.com, 127.0.0.1:8080, [::1]:*, *.internal.example');
    expect(allowsRequest(patterns, 'https', 'api.example.com')).toBe(true);
    expect(allowsRequest(patterns, 'https', 'api.example.com:443')).toBe(true);
    expect(allowsRequest(patterns, 'http', 'api.example.com')).toBe(true);
    expect(allowsRequest(patterns, 'https', 'API.Example.COM.')).toBe(true);
    expect(allowsRequest(patterns, 'http', '127.0.0.1:8080')).toBe(true);
    expect(allowsRequest(patterns, 'http', '[::1]:9999')).toBe(true);
    expect(allowsRequest(patterns, 'https', 'db.internal.example')).toBe(true);
    expect(allowsRequest(patterns, 'https', 'a.b.internal.example')).toBe(true);
  });

  it('refuses every other host and port', () => {
    const patterns = parseAllowedHosts('api.example.com,127.0.0.1:8080,*.internal.example');
    expect(allowsRequest(patterns, 'https', 'api.example.com:444')).toBe(false);
    expect(allowsRequest(patterns, 'http', '127.0.0.1')).toBe(false);
    expect(allowsRequest(patterns, 'http', '127.0.0.1:8081')).toBe(false);
    expect(allowsRequest(patterns, 'https', 'internal.example')).toBe(false);
    expect(allowsRequest(patterns, 'https', 'example.com')).toBe(false);
    expect(allowsRequest(patterns, 'ftp', 'api.example.com')).toBe(false);
  });

  it('allows any host only when told to, with *', () => {
    expect(allowsRequest(parseAllowedHosts('*'), 'https', 'anything.example')).toBe(true);
    expect(allowsRequest(parseAllowedHosts('*'), 'https', 'anything.example:8443')).toBe(false);
    expect(allowsRequest(parseAllowedHosts('*:*'), 'https', 'anything.example:8443')).toBe(true);
  });

  it('is required, and names the pattern it cannot read', () => {
    for (const [text, named] of [
      ['', 'allowed_hosts is empty'],
      [' , ', 'allowed_hosts is empty'],
      ['https://api.example.com', '"https://api.example.com"'],
      ['api.example.com/v1', '"api.example.com/v1"'],
      ['api.example.com:99999', '"api.example.com:99999"'],
      ['*.10.0.0.1', '"*.10.0.0.1"'],
      ['under_score.example', '"under_score.example"'],
    ]) {
      expect(() => parseAllowedHosts(text!), text).toThrow(expect.objectContaining({ code: 'HTTP_CLIENT_BAD_LINK_CONFIG', message: expect.stringContaining(named!) }));
    }
  });
});
