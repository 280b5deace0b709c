import { describe, expect, it } from 'vitest';
import { allowsRequest, parseAllowedHosts } from '../../providers/http-client/index.ts';

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
