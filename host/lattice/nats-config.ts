/**
 * nats-server configuration files for the two topologies of a lattice, as text. Pure. A hub (on a
 * Pi or a server) listens for clients and for leaf nodes; a leaf (on each laptop) serves its local
 * host and joins the hub, so a host keeps working on its machine while the link to the hub is down.
 */

export interface HubConfig {
  readonly host: string;
  readonly port: number;
  readonly leafPort: number;
  /** A JetStream store directory, for key-value buckets on NATS. */
  readonly storeDir?: string;
}

export interface LeafConfig {
  readonly host: string;
  readonly port: number;
  /** The hub's leaf node URL, such as `nats-leaf://pi.local:7422`. */
  readonly remoteUrl: string;
  /** A creds file for the hub, when it asks for one. */
  readonly credentials?: string;
}

const quoted = (text: string) => JSON.stringify(text);

/**
 * The hub's JetStream domain. nats-server keeps JetStream's API from crossing a leaf connection
 * unless the client names the domain (`$JS.<domain>.API`), so hosts on a leaf reach the hub's
 * buckets through it.
 */
export const HUB_JETSTREAM_DOMAIN = 'badger-hub';

export function hubConfig(config: HubConfig): string {
  return [
    `host: ${quoted(config.host)}`,
    `port: ${config.port}`,
    ...(config.storeDir ? [`jetstream { store_dir: ${quoted(config.storeDir)}, domain: ${quoted(HUB_JETSTREAM_DOMAIN)} }`] : []),
    'leafnodes {',
    `  host: ${quoted(config.host)}`,
    `  port: ${config.leafPort}`,
    '}',
    '',
  ].join('\n');
}

export function leafConfig(config: LeafConfig): string {
  const remote = config.credentials ? `{ url: ${quoted(config.remoteUrl)}, credentials: ${quoted(config.credentials)} }` : `{ url: ${quoted(config.remoteUrl)} }`;
  return [`host: ${quoted(config.host)}`, `port: ${config.port}`, 'leafnodes {', `  remotes: [ ${remote} ]`, '}', ''].join('\n');
}
