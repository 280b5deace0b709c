import { createServer } from 'node:net';
import { HTTP_INCOMING_HANDLER, HttpServerError, type HttpServing, type Link, type ListenSpec, type Provider, type ProviderHost } from '../../host/index.ts';
import { parseHttpLinkConfig } from './link-config.ts';

export { HTTP_INCOMING_HANDLER };

export interface HttpServerProviderOptions {
  readonly id?: string;
}

export interface ServedAddress {
  readonly actor: string;
  readonly link: string;
  /** host:port, with the real port when the link asked for port 0. */
  readonly address: string;
}

interface Served {
  readonly link: Link;
  readonly address: string;
  /** What it listens on, its port bound (never 0). */
  readonly spec: ListenSpec;
  readonly serving: HttpServing;
}

/**
 * The HTTP server provider. A link from an actor to it, on `wasi:http/incoming-handler`, with
 * `address=host:port`, makes every worker of that actor listen there; link del stops accepting,
 * lets requests in flight finish, and closes the connections.
 */
export function httpServerProvider(options: HttpServerProviderOptions = {}): Provider & { addresses(): ServedAddress[] } {
  let host: ProviderHost | undefined;
  const served = new Map<string, Served>();
  const keyOf = (link: Link) => `${link.source}\u0000${link.name}`;

  const stop = async (link: Link) => {
    const entry = served.get(keyOf(link));
    served.delete(keyOf(link));
    await entry?.serving.close();
  };

  return {
    id: options.id ?? 'http-server',
    name: 'HTTP server',
    attach(attached) {
      host = attached;
    },
    async linkPut(link) {
      if (link.interface !== HTTP_INCOMING_HANDLER) {
        throw new HttpServerError('HTTP_BAD_LINK_CONFIG', `the HTTP server serves ${HTTP_INCOMING_HANDLER}, not ${link.interface}`);
      }
      if (!host) throw new HttpServerError('HTTP_LISTEN_FAILED', 'the HTTP server provider was not started by a host');
      const requested = parseHttpLinkConfig(link.config);
      const previous = served.get(keyOf(link));
      const taken = [...served.values()].find((entry) => entry !== previous && entry.address === `${requested.host}:${requested.port}`);
      if (taken) throw new HttpServerError('HTTP_ADDRESS_IN_USE', `${taken.address} is already served to actor ${taken.link.source}`);
      // A new put for the same link (the actor's new version, say) replaces its listener without a
      // gap: the new one listens beside the old (SO_REUSEPORT), then the old one drains. The address
      // it holds, a random port included, is already this provider's to reuse.
      const reusable = previous && previous.spec.host === requested.host && (requested.port === 0 || previous.spec.port === requested.port);
      const spec = reusable ? { ...requested, port: previous.spec.port } : await claimAddress(requested);
      const serving = await host.serveHttp(link.source, spec);
      served.set(keyOf(link), { link, address: `${spec.host}:${spec.port}`, spec, serving });
      // Not waited for: the old listener's clients leave at their own pace (up to the keep-alive timeout).
      void previous?.serving.close({ handover: true }).catch(() => {});
    },
    linkDel: stop,
    linkInEffect(link) {
      const entry = served.get(keyOf(link));
      return entry ? { address: entry.address } : undefined;
    },
    health() {
      return { healthy: true, message: [...served.values()].map((entry) => `${entry.link.source} on http://${entry.address}`).join('; ') || 'no links' };
    },
    async shutdown() {
      await Promise.all([...served.values()].map((entry) => stop(entry.link)));
    },
    addresses() {
      return [...served.values()].map((entry) => ({ actor: entry.link.source, link: entry.link.name, address: entry.address }));
    },
  };
}

/**
 * Checks that no other program holds the address, with an exclusive bind: the workers' shared
 * (SO_REUSEPORT) binds would otherwise quietly split traffic with another such program. Port 0
 * becomes a real free port, so every worker binds the same one.
 */
function claimAddress(spec: ListenSpec): Promise<ListenSpec> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new HttpServerError('HTTP_ADDRESS_IN_USE', `${spec.host}:${spec.port} is already in use by another program`)
          : new HttpServerError('HTTP_LISTEN_FAILED', `cannot listen on ${spec.host}:${spec.port}: ${error.message}`),
      ),
    );
    probe.listen({ host: spec.host, port: spec.port, exclusive: true }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve({ ...spec, port }));
    });
  });
}
