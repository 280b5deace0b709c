import { positiveIntegerSetting } from '../../host/guest-side.ts';
import { parseAllowedHosts, type HostPattern } from './allowed-hosts.ts';
import { HttpClientError } from './errors.ts';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface HttpClientLinkConfig {
  readonly allowedHosts: readonly HostPattern[];
  /** Connecting, the first byte, and between bytes: each gets this long, unless the request's options ask for less. */
  readonly timeoutMs: number;
  /** A response body (and a request body) longer than this fails rather than fill memory. */
  readonly maxBodyBytes: number;
  /** A PEM file of CAs to trust as well as the system's, for a private registry or a test server. */
  readonly tlsCa?: string;
}

const KNOWN_KEYS = new Set(['allowed_hosts', 'timeout_ms', 'max_body_bytes', 'tls_ca']);

/**
 * Reads an outgoing-HTTP link's config: `allowed_hosts` (required: nothing is allowed by default;
 * see allowed-hosts.ts), `timeout_ms` (30 s), `max_body_bytes` (10 MiB) and `tls_ca` (a PEM
 * path). Every problem is named with its key; an unknown key is refused, since a typo such as
 * `allowed_host` would otherwise leave the actor allowed nothing, with no word why.
 */
export function parseHttpClientLinkConfig(config: Readonly<Record<string, string>>): HttpClientLinkConfig {
  const unknown = Object.keys(config).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) throw bad(`unknown key ${unknown.join(', ')}; known: ${[...KNOWN_KEYS].join(', ')}`);
  if (config.allowed_hosts === undefined) throw bad('allowed_hosts is required: nothing is allowed by default (for example allowed_hosts=api.example.com,127.0.0.1:8080)');
  const tlsCa = config.tls_ca;
  if (tlsCa !== undefined && !tlsCa.startsWith('/')) throw bad(`tls_ca="${tlsCa}" is not an absolute path to a PEM file`);
  return {
    allowedHosts: parseAllowedHosts(config.allowed_hosts),
    timeoutMs: positiveIntegerSetting(config, 'timeout_ms', DEFAULT_TIMEOUT_MS, bad),
    maxBodyBytes: positiveIntegerSetting(config, 'max_body_bytes', DEFAULT_MAX_BODY_BYTES, bad),
    ...(tlsCa === undefined ? {} : { tlsCa }),
  };
}

function bad(message: string): HttpClientError {
  return new HttpClientError('HTTP_CLIENT_BAD_LINK_CONFIG', `http-client link config: ${message}`);
}
