import { randomUUID } from 'node:crypto';
import type { NatsConnection, Subscription } from 'nats';
import type { KeyPair } from '../../claims/index.ts';
import { isRefusal, parseRequest, type ControlRequest, type ControlResponse } from '../control/index.ts';
import { CONTROL_WIRE_VERSION, controlReplyFrom, latticeOperations, satisfies, type AuctionRequest, type ControlEnvelope, type ControlReplyEnvelope, type HostSummary, type ProviderPingRequest, type ProviderSummary } from './control-wire.ts';
import type { Link } from '../links.ts';
import { cloudEvent, type CloudEvent } from './cloud-events.ts';
import { LatticeBus, type Inbound } from './lattice-bus.ts';
import { authenticatorFor, connectLattice, type LatticeCredentials } from './lattice-client.ts';
import { controlSubject, controlSubscriptions, eventSubject } from './subjects.ts';
import type { LatticeTrust } from './trust.ts';

export interface LatticeHostOptions {
  readonly servers: string | string[];
  readonly lattice: string;
  /** The host's `N…` key pair: its public key is its id on the lattice; it stamps what the host sends. */
  readonly hostKey: KeyPair;
  /** A cluster issuer's voucher for the host's key, on a locked lattice. */
  readonly voucher?: string;
  /** Whom the host believes; the lattice is locked when it names anyone (`--ctl-allow`, `--cluster-issuer`). */
  readonly trust?: LatticeTrust;
  /** Epoch milliseconds; tests skew it. */
  readonly clock?: () => number;
  /** Hears each message the host dropped, and why. */
  readonly onRefused?: (subject: string, reason: string) => void;
  /** Runs one control operation, as the local socket does. */
  readonly perform: (request: ControlRequest) => Promise<ControlResponse>;
  /** The host as heartbeats and pings describe it. */
  readonly describe: () => HostSummary;
  /** The providers this host runs, with their health, for lattice-wide inventory. */
  readonly describeProviders?: () => Promise<ProviderSummary[]>;
  readonly heartbeatMs?: number;
  /** For a NATS server that asks who connects. */
  readonly credentials?: LatticeCredentials;
  /** Links other hosts put and delete, so that every host sees every link. */
  readonly links?: {
    adopt(link: Link): Promise<void>;
    drop(source: string, iface: string, name: string): Promise<void>;
  };
}

export interface LatticeMembership {
  readonly connection: NatsConnection;
  /** The connection as the host uses it: stamped and checked on a locked lattice. */
  readonly bus: LatticeBus;
  /** Publishes a lifecycle event (a CloudEvent) on the lattice. */
  publish(type: string, data: unknown): void;
  leave(): Promise<void>;
}

export const DEFAULT_HEARTBEAT_MS = 30_000;

/**
 * Joins a host to a lattice: it answers the control interface (every operation the local socket
 * takes, plus `ping`, to all hosts or to itself by id), publishes a heartbeat, and publishes
 * lifecycle events. The NATS client reconnects by itself after a server restart, and resubscribes.
 */
export async function joinLattice(options: LatticeHostOptions): Promise<LatticeMembership> {
  const hostId = options.hostKey.publicKey;
  const connection = await connectLattice(options.servers, { name: `badger-host ${hostId}`, ...authenticatorFor(options.credentials) });
  let bus: LatticeBus;
  try {
    bus = new LatticeBus({
    connection,
    lattice: options.lattice,
    identity: { role: 'member', key: options.hostKey, ...(options.voucher ? { voucher: options.voucher } : {}) },
    ...(options.trust ? { trust: options.trust } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onRefused ? { onRefused: options.onRefused } : {}),
    });
  } catch (error) {
    await connection.close();
    throw error;
  }
  const publish = eventPublisher(bus, hostId);
  const reply = (response: ControlResponse) => JSON.stringify({ version: CONTROL_WIRE_VERSION, host: hostId, response } satisfies ControlReplyEnvelope);
  const subscriptions: Subscription[] = controlSubscriptions(options.lattice, hostId).map((subject) =>
    bus.subscribe(
      subject,
      {
        // `…<op>` goes to every host, `…<op>.<host>` to one: the stamp must say which.
        target: (actual) => actual.split('.')[5] ?? '*',
        refusal: (reason) => reply({ ok: false, code: 'CONTROL_DENIED', message: reason }),
      },
      async (message) => {
        if (!message.expectsReply) return;
        const response = await answer(options, message);
        if (response) message.respond(reply(response));
      },
    ),
  );
  if (options.links) subscriptions.push(...(await followLinks(bus, hostId, options.links)));
  const heartbeat = setInterval(() => publish('host_heartbeat', options.describe()), options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();
  publish('host_started', options.describe());
  await connection.flush();
  return {
    connection,
    bus,
    publish,
    async leave() {
      clearInterval(heartbeat);
      publish('host_stopped', { id: hostId });
      for (const subscription of subscriptions) subscription.unsubscribe();
      bus.stop();
      await connection.drain().catch(() => {});
    },
  };
}

/** Publishes lifecycle events from `source` (a host's `N…` or a provider's `V…` key) as CloudEvents. */
export function eventPublisher(bus: LatticeBus, source: string): (type: string, data: unknown) => void {
  return (type, data) => bus.publish(eventSubject(bus.lattice, type), JSON.stringify(cloudEvent(type, source, data, randomUUID(), new Date(bus.now()))));
}

/** One control message, decoded and checked, performed, and its answer; none for an auction this host does not win a place in. */
async function answer(options: LatticeHostOptions, message: Inbound): Promise<ControlResponse | undefined> {
  let envelope: Partial<ControlEnvelope>;
  try {
    envelope = JSON.parse(message.string()) as Partial<ControlEnvelope>;
  } catch {
    return { ok: false, code: 'CONTROL_MALFORMED', message: 'the control request is not JSON' };
  }
  if (envelope?.version !== CONTROL_WIRE_VERSION) {
    return { ok: false, code: 'CONTROL_MALFORMED', message: `a control request is {"version": ${CONTROL_WIRE_VERSION}, "request": {...}}` };
  }
  const request = await parseRequest<AuctionRequest | ProviderPingRequest>(envelope.request, latticeOperations);
  if (isRefusal(request)) return request;
  const operation = message.subject.split('.')[4];
  if (operation !== request.op) return { ok: false, code: 'CONTROL_MALFORMED', message: `the subject names ${operation} but the request is ${request.op}` };
  if (request.op === 'ping') return { ok: true, data: options.describe() };
  if (request.op === 'ping-providers') return { ok: true, data: (await options.describeProviders?.()) ?? [] };
  if (request.op === 'auction') {
    const summary = options.describe();
    return satisfies(summary.labels, request.constraints) ? { ok: true, data: summary } : undefined;
  }
  return options.perform(request);
}

/** A host's summary from its inventory: what pings answer and heartbeats carry. */
export function summarizeHost(
  id: string,
  lattice: string,
  labels: Readonly<Record<string, string>>,
  version: string,
  startedAt: Date,
  inventory: { actors: readonly { id: string; name: string; limits: { maxInstances: number } }[]; providers: readonly { id: string; name: string }[] },
  now: Date,
  server?: string,
): HostSummary {
  return {
    id,
    lattice,
    labels,
    version,
    uptimeSeconds: Math.floor((now.getTime() - startedAt.getTime()) / 1000),
    ...(server ? { server } : {}),
    actors: inventory.actors.map((actor) => ({ id: actor.id, name: actor.name, maxInstances: actor.limits.maxInstances })),
    providers: inventory.providers.map(({ id: providerId, name }) => ({ id: providerId, name })),
  };
}

/** What a member of the lattice does with the links others put and delete. */
export type LinkFollower = NonNullable<LatticeHostOptions['links']>;

/** Pure: the link a link event carries, or undefined when it does not carry one. */
function linkFrom(value: unknown): Link | undefined {
  const link = value as Partial<Link> | undefined;
  if (typeof link !== 'object' || link === null) return undefined;
  if (![link.source, link.interface, link.name, link.target].every((field) => typeof field === 'string' && field.length > 0 && field.length <= 512)) return undefined;
  const config = link.config ?? {};
  if (typeof config !== 'object' || config === null || !Object.values(config).every((value) => typeof value === 'string')) return undefined;
  return { source: link.source!, interface: link.interface!, name: link.name!, target: link.target!, config };
}

/**
 * Keeps a member (a host, or a standalone provider: `self` is its key) in step with the lattice's
 * links: it adopts the links others put or delete (their link events, which on a locked lattice
 * must be stamped by a trusted member as their own), and on joining asks one host for the links
 * that exist already.
 */
export async function followLinks(bus: LatticeBus, self: string, links: LinkFollower): Promise<Subscription[]> {
  const follow = (type: 'link_put' | 'link_deleted') =>
    bus.subscribe(eventSubject(bus.lattice, type), { target: () => '*' }, (message) => {
      let event: CloudEvent<Link>;
      try {
        event = JSON.parse(message.string()) as CloudEvent<Link>;
      } catch {
        return;
      }
      if (event?.source === self || message.sender === self) return;
      // On a locked lattice an event speaks for the member that stamped it, and for no other.
      if (bus.locked && event.source !== message.sender) return;
      const link = linkFrom(event.data);
      if (!link) return;
      // The follower reports its own failures: a link it cannot take must not end the process.
      void (type === 'link_put' ? links.adopt(link) : links.drop(link.source, link.interface, link.name)).catch(() => {});
    });
  const subscriptions = [follow('link_put'), follow('link_deleted')];
  try {
    const request: ControlEnvelope = { version: CONTROL_WIRE_VERSION, request: { op: 'query-links' } };
    for await (const reply of bus.requestMany(controlSubject(bus.lattice, 'query-links'), JSON.stringify(request), { target: '*', maxWait: 500 })) {
      const envelope = controlReplyFrom(reply.string());
      // This host answers too (it listens already): the links are another host's to tell.
      if (!envelope || envelope.host === self || !envelope.response.ok || !Array.isArray(envelope.response.data)) continue;
      for (const link of envelope.response.data.map(linkFrom)) if (link) await links.adopt(link).catch(() => {});
      break;
    }
  } catch {
    // The first host of a lattice has nobody to ask; a host that cannot answer now is caught up by events.
  }
  return subscriptions;
}
