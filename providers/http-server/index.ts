export { DEFAULT_ADDRESS, DEFAULT_MAX_BODY_BYTES, parseAddress, parseHttpLinkConfig } from './link-config.ts';
export { HTTP_INCOMING_HANDLER, httpServerProvider, type HttpServerProviderOptions, type ServedAddress } from './http-server-provider.ts';
export { httpServerDescriptor } from './descriptor.ts';
