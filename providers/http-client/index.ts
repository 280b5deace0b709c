export { allowsRequest, parseAllowedHosts, type HostPattern } from './allowed-hosts.ts';
export { wasiErrorCodeOf, type WasiHttpErrorCode } from './error-codes.ts';
export { HttpClientError, type HttpClientErrorCode } from './errors.ts';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS, parseHttpClientLinkConfig, type HttpClientLinkConfig } from './link-config.ts';
export { HttpClientSender, type IncomingHttpResponse, type OutgoingHttpRequest, type SendOutcome } from './sender.ts';
export { contract as httpClientContract, type HttpClientHandler } from './contract.ts';
export { httpClientDescriptor } from './descriptor.ts';
export { httpClientProvider } from './http-client-provider.ts';
