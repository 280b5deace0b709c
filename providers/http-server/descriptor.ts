import type { ProviderDescriptor } from '../../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from './http-server-provider.ts';
import { DEFAULT_ADDRESS, DEFAULT_MAX_BODY_BYTES, HTTP_LINK_DEFAULTS } from './link-config.ts';

export const httpServerDescriptor: ProviderDescriptor = {
  name: 'http-server',
  summary: "serves HTTP on each link's address to the actor's wasi:http/incoming-handler",
  // It calls actors' exports, and carries none of their imports.
  contracts: [],
  drives: [{ name: HTTP_INCOMING_HANDLER, versions: '^0.2.0' }],
  linkConfig: [
    { key: 'address', meaning: 'host:port to listen on ([::1]:8080 for IPv6)', default: DEFAULT_ADDRESS },
    { key: 'max-body-bytes', meaning: 'the largest request body', default: String(DEFAULT_MAX_BODY_BYTES) },
    { key: 'max-header-bytes', meaning: 'the largest request head', default: String(HTTP_LINK_DEFAULTS.maxHeaderBytes) },
    { key: 'headers-timeout-ms', meaning: 'how long a request head may take', default: String(HTTP_LINK_DEFAULTS.headersTimeoutMs) },
    { key: 'request-timeout-ms', meaning: 'how long a whole request may take', default: String(HTTP_LINK_DEFAULTS.requestTimeoutMs) },
    { key: 'keep-alive-timeout-ms', meaning: 'how long an idle connection stays open', default: String(HTTP_LINK_DEFAULTS.keepAliveTimeoutMs) },
  ],
  create: (context) => httpServerProvider(context.id ? { id: context.id } : {}),
};
