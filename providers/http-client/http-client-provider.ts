import { serving, type Provider } from '../../host/index.ts';
import { contract, type HttpClientHandler } from './contract.ts';
import { parseHttpClientLinkConfig } from './link-config.ts';

/**
 * The wasi:http/outgoing-handler provider. It only checks each link's config and hands it to the
 * actor's thread, which sends the requests itself (see contract.ts): a body then streams between
 * the guest and the network without a hop through the host's thread.
 */
export function httpClientProvider(options: { readonly id?: string } = {}): Provider & { readonly httpClient: HttpClientHandler } {
  const httpClient: HttpClientHandler = {
    async linkConfig(link) {
      parseHttpClientLinkConfig(link.config);
      return link.config;
    },
  };
  return {
    id: options.id ?? 'http-client',
    name: 'outgoing HTTP (undici)',
    httpClient,
    serves: [serving(contract, httpClient)],
    // A link that allows nothing, or says so with a typo, is refused when it is put.
    linkPut(link) {
      parseHttpClientLinkConfig(link.config);
    },
    health: () => ({ healthy: true }),
  };
}
