import { randomUUID } from 'node:crypto';
import { RequestStrategy, type NatsConnection, type Subscription } from 'nats';
import type { ControlRequest, ControlResponse } from '../control/index.ts';
import { CONTROL_WIRE_VERSION, refusal, satisfies, type ControlEnvelope, type ControlReplyEnvelope, type HostSummary, type ProviderSummary } from './control-wire.ts';
import type { Link } from '../links.ts';
import { cloudEvent, type CloudEvent } from './cloud-events.ts';
import { authenticatorFor, connectLattice, type LatticeCredentials } from './lattice-client.ts';
import { controlSubject, controlSubscriptions, eventSubject } from './subjects.ts';

export interface LatticeHostOptions {
  readonly servers: string | string[];
  readonly lattice: string;
  /** The host's public `N…` key: its id on the lattice. */
  readonly hostId: string;
  /** Runs one control operation, as the local socket does. */
  readonly perform: (request: ControlRequest) => Promise<ControlResponse>;
  /** The host as heartbeats and pings describe it. */
  readonly describe: () => HostSummary;
  /** The providers this host runs, with their health, for lattice-wide inventory. */
  readonly describeProviders?: () => Promise<ProviderSummary[]>;
  readonly heartbeatMs?: number;
  /** When not empty, only control requests signed by one of these nkeys are taken (`--ctl-allow`). */
  readonly ctlAllow?: readonly string[];
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
  const connection = await connectLattice(options.servers, { name: `badger-host ${options.hostId}`, ...authenticatorFor(options.credentials) });
  const publish = eventPublisher(connection, options.lattice, options.hostId);
  const subscriptions: Subscription[] = controlSubscriptions(options.lattice, options.hostId).map((subject) =>
    connection.subscribe(subject, {
      callback: (error, message) => {
        if (error || !message.reply) return;
        void answer(options, message.subject, message.string()).then((reply) => reply && message.respond(JSON.stringify(reply)));
      },
    }),
  );
  if (options.links) subscriptions.push(...(await followLinks(connection, options.lattice, options.hostId, options.links)));
  const heartbeat = setInterval(() => publish('host_heartbeat', options.describe()), options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();
  publish('host_started', options.describe());
  await connection.flush();
  return {
    connection,
    publish,
    async leave() {
      clearInterval(heartbeat);
      publish('host_stopped', { id: options.hostId });
      for (const subscription of subscriptions) subscription.unsubscribe();
      await connection.drain().catch(() => {});
    },
  };
}

/** Publishes lifecycle events from `source` (a host's `N…` or a provider's `V…` key) as CloudEvents. */
export function eventPublisher(connection: NatsConnection, lattice: string, source: string): (type: string, data: unknown) => void {
  return (type, data) => {
    if (connection.isClosed()) return;
    connection.publish(eventSubject(lattice, type), JSON.stringify(cloudEvent(type, source, data, randomUUID(), new Date())));
  };
}

/** One control message, decoded and checked, performed, and its reply; none for an auction this host does not win a place in. */
async function answer(options: LatticeHostOptions, subject: string, body: string): Promise<ControlReplyEnvelope | undefined> {
  const reply = (response: ControlResponse): ControlReplyEnvelope => ({ version: CONTROL_WIRE_VERSION, host: options.hostId, response });
  let envelope: ControlEnvelope;
  try {
    envelope = JSON.parse(body) as ControlEnvelope;
  } catch {
    return reply({ ok: false, code: 'CONTROL_MALFORMED', message: 'the control request is not JSON' });
  }
  if (envelope?.version !== CONTROL_WIRE_VERSION || typeof envelope.request !== 'object' || envelope.request === null) {
    return reply({ ok: false, code: 'CONTROL_MALFORMED', message: `a control request is {"version": ${CONTROL_WIRE_VERSION}, "request": {...}}` });
  }
  const denied = refusal(envelope, options.ctlAllow ?? [], Date.now());
  if (denied) return reply({ ok: false, code: 'CONTROL_DENIED', message: denied });
  const operation = subject.split('.')[4];
  if (operation !== envelope.request.op) {
    return reply({ ok: false, code: 'CONTROL_MALFORMED', message: `the subject names ${operation} but the request is ${envelope.request.op}` });
  }
  if (envelope.request.op === 'ping') return reply({ ok: true, data: options.describe() });
  if (envelope.request.op === 'ping-providers') return reply({ ok: true, data: (await options.describeProviders?.()) ?? [] });
  if (envelope.request.op === 'auction') {
    const summary = options.describe();
    return satisfies(summary.labels, envelope.request.constraints ?? {}) ? reply({ ok: true, data: summary }) : undefined;
  }
  return reply(await options.perform(envelope.request));
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
): HostSummary {
  return {
    id,
    lattice,
    labels,
    version,
    uptimeSeconds: Math.floor((now.getTime() - startedAt.getTime()) / 1000),
    actors: inventory.actors.map((actor) => ({ id: actor.id, name: actor.name, maxInstances: actor.limits.maxInstances })),
    providers: inventory.providers.map(({ id: providerId, name }) => ({ id: providerId, name })),
  };
}

/** What a member of the lattice does with the links others put and delete. */
export type LinkFollower = NonNullable<LatticeHostOptions['links']>;

/**
 * Keeps a member (a host, or a standalone provider: `self` is its key) in step with the lattice's
 * links: it adopts the links others put or delete (their link events), and on joining asks one
 * host for the links that exist already.
 */
export async function followLinks(connection: NatsConnection, lattice: string, self: string, links: LinkFollower): Promise<Subscription[]> {
  const follow = (type: 'link_put' | 'link_deleted') =>
    connection.subscribe(eventSubject(lattice, type), {
      callback: (error, message) => {
        if (error) return;
        let event: CloudEvent<Link>;
        try {
          event = JSON.parse(message.string()) as CloudEvent<Link>;
        } catch {
          return;
        }
        if (event.source === self) return;
        // The follower reports its own failures: a link it cannot take must not end the process.
        void (type === 'link_put' ? links.adopt(event.data) : links.drop(event.data.source, event.data.interface, event.data.name)).catch(() => {});
      },
    });
  const subscriptions = [follow('link_put'), follow('link_deleted')];
  try {
    const replies = await connection.requestMany(controlSubject(lattice, 'query-links'), JSON.stringify({ version: CONTROL_WIRE_VERSION, request: { op: 'query-links' } }), {
      strategy: RequestStrategy.Timer,
      maxWait: 500,
    });
    for await (const reply of replies) {
      const { host, response } = JSON.parse(reply.string()) as ControlReplyEnvelope;
      // This host answers too (it listens already): the links are another host's to tell.
      if (host === self || !response.ok) continue;
      for (const link of response.data as Link[]) await links.adopt(link).catch(() => {});
      break;
    }
  } catch {
    // The first host of a lattice has nobody to ask; a host that cannot answer now is caught up by events.
  }
  return subscriptions;
}
