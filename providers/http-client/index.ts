export { allowsRequest, parseAllowedHosts, type HostPattern } from './allowed-hosts.ts';
export { wasiErrorCodeOf, type WasiHttpErrorCode } from './error-codes.ts';
export { HttpClientError, type HttpClientErrorCode } from './errors.ts';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS, parseHttpClientLinkConfig, type HttpClientLinkConfig } from './link-config.ts';
export { HttpClientSender, type IncomingHttpResponse, type OutgoingHttpRequest, type SendOutcome } from './sender.ts';
