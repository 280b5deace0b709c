import { HttpServerError, positiveIntegerSetting, type ListenSpec } from '../../host/index.ts';


export const DEFAULT_ADDRESS = '127.0.0.1:8000';
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const HTTP_LINK_DEFAULTS = { maxHeaderBytes: 16 * 1024, headersTimeoutMs: 10_000, requestTimeoutMs: 300_000, keepAliveTimeoutMs: 5_000 };

const KNOWN_KEYS = new Set(['address', 'max-body-bytes', 'max-header-bytes', 'headers-timeout-ms', 'request-timeout-ms', 'keep-alive-timeout-ms']);

/**
 * Reads an HTTP link's config, as wasmCloud's HTTP server does: `address=host:port` (default
 * 127.0.0.1:8000; `[::1]:8080` for IPv6), `max-body-bytes` (default 10 MiB), `max-header-bytes`
 * (16 KiB), `headers-timeout-ms`, `request-timeout-ms`, `keep-alive-timeout-ms`. Every problem is
 * named with its key; an unknown key is refused rather than ignored, since a typo would otherwise
 * pass unnoticed.
 */
export function parseHttpLinkConfig(config: Readonly<Record<string, string>>): ListenSpec {
  const unknown = Object.keys(config).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) throw bad(`unknown link config ${unknown.join(', ')}; known: ${[...KNOWN_KEYS].join(', ')}`);
  const { host, port } = parseAddress(config.address ?? DEFAULT_ADDRESS);
  return {
    host,
    port,
    maxBodyBytes: positiveIntegerSetting(config, 'max-body-bytes', DEFAULT_MAX_BODY_BYTES, bad),
    maxHeaderBytes: positiveIntegerSetting(config, 'max-header-bytes', HTTP_LINK_DEFAULTS.maxHeaderBytes, bad),
    headersTimeoutMs: positiveIntegerSetting(config, 'headers-timeout-ms', HTTP_LINK_DEFAULTS.headersTimeoutMs, bad),
    requestTimeoutMs: positiveIntegerSetting(config, 'request-timeout-ms', HTTP_LINK_DEFAULTS.requestTimeoutMs, bad),
    keepAliveTimeoutMs: positiveIntegerSetting(config, 'keep-alive-timeout-ms', HTTP_LINK_DEFAULTS.keepAliveTimeoutMs, bad),
  };
}

export function parseAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw bad(`address="${address}" is not host:port (for example 127.0.0.1:8080 or [::1]:8080)`);
  return { host: match[1] ?? match[2]!, port };
}

function bad(message: string): HttpServerError {
  return new HttpServerError('HTTP_BAD_LINK_CONFIG', `HTTP link config: ${message}`);
}
