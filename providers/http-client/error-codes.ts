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

/** The error's own code, or its cause's (undici wraps socket errors). */
function codeOf(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | undefined)?.code;
  if (typeof own === 'string' && own !== 'UND_ERR_SOCKET') return own;
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof cause === 'string' ? cause : typeof own === 'string' ? own : undefined;
}

export function wasiErrorCodeOf(error: unknown): WasiHttpErrorCode {
  const code = codeOf(error);
  switch (code) {
    case 'ENOTFOUND':
      return { tag: 'DNS-error', val: { rcode: 'NXDOMAIN' } };
    case 'EAI_AGAIN':
      return { tag: 'DNS-timeout' };
    case 'ECONNREFUSED':
      return { tag: 'connection-refused' };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return { tag: 'connection-terminated' };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { tag: 'connection-timeout' };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { tag: 'connection-read-timeout' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { tag: 'destination-unavailable' };
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'UND_ERR_INFO':
      return { tag: 'HTTP-protocol-error' };
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { tag: 'TLS-certificate-error' };
    default:
      if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_')) return { tag: 'TLS-protocol-error' };
      return { tag: 'internal-error', val: error instanceof Error ? error.message : String(error) };
  }
}
