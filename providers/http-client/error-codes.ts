/**
 * wasi:http's `error-code` for what went wrong sending a request, from the error Node or undici
 * raised: the guest gets a variant it can match on, never a trap. Only the cases a Node client
 * can tell apart are made; anything else is `internal-error` with its message.
 */
export type WasiHttpErrorCode =
  | { readonly tag: 'DNS-error'; readonly val: { readonly rcode?: string; readonly infoCode?: number } }
  | { readonly tag: 'DNS-timeout' | 'connection-refused' | 'connection-terminated' | 'connection-timeout' | 'connection-read-timeout' | 'HTTP-request-denied' | 'HTTP-protocol-error' | 'TLS-certificate-error' | 'TLS-protocol-error' | 'destination-unavailable' }
  | { readonly tag: 'HTTP-request-body-size' | 'HTTP-response-body-size'; readonly val?: bigint }
  | { readonly tag: 'internal-error'; readonly val?: string };

const TERMINATED: WasiHttpErrorCode = { tag: 'connection-terminated' };
const READ_TIMEOUT: WasiHttpErrorCode = { tag: 'connection-read-timeout' };
const PROTOCOL: WasiHttpErrorCode = { tag: 'HTTP-protocol-error' };
const CERTIFICATE: WasiHttpErrorCode = { tag: 'TLS-certificate-error' };
const UNAVAILABLE: WasiHttpErrorCode = { tag: 'destination-unavailable' };

/** By the code Node (errno, TLS, llhttp) or undici gives its error; these are read, never sent. */
const BY_CODE: Readonly<Record<string, WasiHttpErrorCode>> = {
  ENOTFOUND: { tag: 'DNS-error', val: { rcode: 'NXDOMAIN' } },
  EAI_AGAIN: { tag: 'DNS-timeout' },
  ECONNREFUSED: { tag: 'connection-refused' },
  ECONNRESET: TERMINATED,
  EPIPE: TERMINATED,
  UND_ERR_SOCKET: TERMINATED,
  UND_ERR_CLOSED: TERMINATED,
  UND_ERR_CONNECT_TIMEOUT: { tag: 'connection-timeout' },
  ETIMEDOUT: { tag: 'connection-timeout' },
  // No response head within the first-byte timeout, or a pause in the body longer than between-bytes.
  UND_ERR_HEADERS_TIMEOUT: READ_TIMEOUT,
  UND_ERR_BODY_TIMEOUT: READ_TIMEOUT,
  EHOSTUNREACH: UNAVAILABLE,
  ENETUNREACH: UNAVAILABLE,
  HPE_INVALID_CONSTANT: PROTOCOL,
  HPE_INVALID_STATUS: PROTOCOL,
  HPE_INVALID_HEADER_TOKEN: PROTOCOL,
  UND_ERR_INFO: PROTOCOL,
  CERT_HAS_EXPIRED: CERTIFICATE,
  DEPTH_ZERO_SELF_SIGNED_CERT: CERTIFICATE,
  SELF_SIGNED_CERT_IN_CHAIN: CERTIFICATE,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: CERTIFICATE,
  ERR_TLS_CERT_ALTNAME_INVALID: CERTIFICATE,
};

/** The error's own code, or its cause's when its own says nothing this table knows (a wrapper's). */
function codeOf(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | undefined)?.code;
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if (typeof cause === 'string' && (typeof own !== 'string' || !Object.hasOwn(BY_CODE, own))) return cause;
  return typeof own === 'string' ? own : undefined;
}

export function wasiErrorCodeOf(error: unknown): WasiHttpErrorCode {
  const code = codeOf(error);
  if (code !== undefined && Object.hasOwn(BY_CODE, code)) return BY_CODE[code]!;
  if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_')) return { tag: 'TLS-protocol-error' };
  return { tag: 'internal-error', val: error instanceof Error ? error.message : String(error) };
}
