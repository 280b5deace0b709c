export { allowsRequest, parseAllowedHosts, type HostPattern } from './allowed-hosts.ts';
export { HttpClientError, type HttpClientErrorCode } from './errors.ts';
