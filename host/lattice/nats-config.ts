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
  /** NATS users and what each may publish and subscribe to; none: anyone may connect. */
  readonly users?: LatticeUsers;
}

/**
 * The NATS users of one lattice, by nkey (`U…`): members (hosts and standalone providers, which
 * connect with `--nkey-seed`) and operators (the CLI and the dashboard). The server then enforces
 * per subject what each may do, under badger's own stamps: an operator cannot publish an RPC call
 * or an event at all.
 */
export interface LatticeUsers {
  readonly lattice: string;
  readonly members: readonly string[];
  readonly operators: readonly string[];
  /** The providers' named services operators may ask, beside health (a display's `snapshot`). */
  readonly operatorServices?: readonly string[];
}

/** Pure: the subjects each kind of user may publish and subscribe to on lattice `lattice`. */
export function latticePermissions(lattice: string, operatorServices: readonly string[] = []): { member: Permissions; operator: Permissions } {
  for (const service of operatorServices) checkServiceName(service);
  const ours = [`${SUBJECT_PREFIX}.ctl.${CONTROL_VERSION}.${lattice}.>`, `${SUBJECT_PREFIX}.evt.${lattice}.>`, `${SUBJECT_PREFIX}.rpc.${lattice}.>`, `${SUBJECT_PREFIX}.auth.${lattice}.>`];
  // JetStream's API, the hub's domain and KV subjects: the application store and the key-value provider's nats backend.
  const jetStream = ['$JS.API.>', `$JS.${HUB_JETSTREAM_DOMAIN}.API.>`, '$JS.ACK.>', '$KV.>'];
  return {
    member: { publish: [...ours, ...jetStream, '_INBOX.>'], subscribe: [...ours, '$KV.>', '_INBOX.>'] },
    operator: {
      // Control requests, health checks and the named services; never RPC calls, events or handshakes.
      publish: [`${SUBJECT_PREFIX}.ctl.${CONTROL_VERSION}.${lattice}.>`, ...['health', ...operatorServices].map((service) => `${SUBJECT_PREFIX}.rpc.${lattice}.*.${service}`)],
      subscribe: [`${SUBJECT_PREFIX}.evt.${lattice}.>`, '_INBOX.>'],
    },
  };
}

export interface Permissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

export interface LeafConfig {
  readonly host: string;
  readonly port: number;
  /**
   * The hub's leaf node URLs, such as `nats-leaf://pi.local:7422`: several when the hub is a
   * cluster, and the leaf moves to another member when the one it is on goes.
   */
  readonly remoteUrls: readonly string[];
  /** A creds file for the hub, when it asks for one. */
  readonly credentials?: string;
}

import { checkServiceName, CONTROL_VERSION, SUBJECT_PREFIX } from './subjects.ts';

const quoted = (text: string) => JSON.stringify(text);

/**
 * The hub's JetStream domain. nats-server keeps JetStream's API from crossing a leaf connection
 * unless the client names the domain (`$JS.<domain>.API`), so hosts on a leaf reach the hub's
 * buckets through it.
 */
export const HUB_JETSTREAM_DOMAIN = 'badger-hub';

function authorization(users: LatticeUsers): string[] {
  const permissions = latticePermissions(users.lattice, users.operatorServices);
  const user = (nkey: string, allowed: Permissions) =>
    `    { nkey: ${quoted(nkey)}, permissions: { publish: { allow: ${JSON.stringify(allowed.publish)} }, subscribe: { allow: ${JSON.stringify(allowed.subscribe)} } } }`;
  return ['authorization {', '  users: [', ...users.members.map((nkey) => user(nkey, permissions.member)), ...users.operators.map((nkey) => user(nkey, permissions.operator)), '  ]', '}'];
}

export function hubConfig(config: HubConfig): string {
  return [
    `host: ${quoted(config.host)}`,
    `port: ${config.port}`,
    ...(config.users ? authorization(config.users) : []),
    ...(config.storeDir ? [`jetstream { store_dir: ${quoted(config.storeDir)}, domain: ${quoted(HUB_JETSTREAM_DOMAIN)} }`] : []),
    'leafnodes {',
    `  host: ${quoted(config.host)}`,
    `  port: ${config.leafPort}`,
    '}',
    '',
  ].join('\n');
}

/** A cluster on one machine, for trying a lattice out: each member's ports are the base ports plus its index. */
export interface ClusterConfig {
  readonly host: string;
  readonly size: number;
  readonly port: number;
  readonly clusterPort: number;
  readonly leafPort: number;
  /** Each member keeps its JetStream store in `<storeDir>/<member name>`. */
  readonly storeDir: string;
  readonly users?: LatticeUsers;
}

export interface ClusterMemberConfig {
  readonly name: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly leafPort: number;
  readonly config: string;
}

/** The name of the route cluster: every member names it, and JetStream's meta group is formed in it. */
export const CLUSTER_NAME = 'badger';

/**
 * Pure: the configs of a cluster of `size` hub members. Each routes to all the others, runs
 * JetStream (one domain for all, so leaves reach any member's store the same way) and listens
 * for leaf nodes, so a leaf may attach to any member.
 */
export function clusterConfigs(config: ClusterConfig): ClusterMemberConfig[] {
  if (!Number.isInteger(config.size) || config.size < 1 || config.size > 9) throw new RangeError(`a cluster of ${config.size} servers: give 1 to 9 (3 or 5 keep a JetStream majority through one or two losses)`);
  const members = Array.from({ length: config.size }, (_, index) => ({
    name: `badger-${index + 1}`,
    port: config.port + index,
    clusterPort: config.clusterPort + index,
    leafPort: config.leafPort + index,
  }));
  // Routes stay on loopback whatever `host` is: a route is trusted as a member of the cluster, and
  // this cluster is for trying a lattice out on one machine, not for several.
  const routes = members.map((member) => quoted(`nats-route://127.0.0.1:${member.clusterPort}`));
  return members.map((member) => ({
    ...member,
    config: [
      `server_name: ${quoted(member.name)}`,
      `host: ${quoted(config.host)}`,
      `port: ${member.port}`,
      ...(config.users ? authorization(config.users) : []),
      `jetstream { store_dir: ${quoted(`${config.storeDir}/${member.name}`)}, domain: ${quoted(HUB_JETSTREAM_DOMAIN)} }`,
      'cluster {',
      `  name: ${quoted(CLUSTER_NAME)}`,
      '  host: "127.0.0.1"',
      `  port: ${member.clusterPort}`,
      `  routes: [ ${routes.join(', ')} ]`,
      '}',
      'leafnodes {',
      `  host: ${quoted(config.host)}`,
      `  port: ${member.leafPort}`,
      '}',
      '',
    ].join('\n'),
  }));
}

export function leafConfig(config: LeafConfig): string {
  const urls = `urls: [ ${config.remoteUrls.map(quoted).join(', ')} ]`;
  const remote = config.credentials ? `{ ${urls}, credentials: ${quoted(config.credentials)} }` : `{ ${urls} }`;
  return [`host: ${quoted(config.host)}`, `port: ${config.port}`, 'leafnodes {', `  remotes: [ ${remote} ]`, '}', ''].join('\n');
}
