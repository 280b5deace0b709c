import type { ProviderDescriptor } from '../../host/index.ts';
import { contract } from './contract.ts';
import { httpClientProvider } from './http-client-provider.ts';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS } from './link-config.ts';

export const httpClientDescriptor: ProviderDescriptor = {
  name: 'http-client',
  summary: "sends an actor's wasi:http/outgoing-handler requests to the hosts its link allows",
  contracts: [contract],
  linkConfig: [
    { key: 'allowed_hosts', meaning: 'hosts the actor may call, comma-separated: api.example.com, *.example.com, 127.0.0.1:8080, host:*; required' },
    { key: 'timeout_ms', meaning: 'connecting, the first byte, and between bytes (a request may ask for less)', default: String(DEFAULT_TIMEOUT_MS) },
    { key: 'max_body_bytes', meaning: 'the largest request or response body', default: String(DEFAULT_MAX_BODY_BYTES) },
    { key: 'tls_ca', meaning: 'an absolute path to a PEM file of CAs to trust beside the system\'s' },
  ],
  create: (context) => httpClientProvider(context.id ? { id: context.id } : {}),
};
