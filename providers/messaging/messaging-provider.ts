import { WitError, type LatticeMessage, type LatticeMessaging, type LatticeMessagingOpener, type Link, type Provider, type ProviderHost } from '../../host/index.ts';
import { serving } from '../../host/index.ts';
import { contract, type BrokerMessage, type MessagingHandler } from './contract.ts';
import { MessagingError } from './errors.ts';
import { parseMessagingLinkConfig, type MessagingLinkConfig } from './link-config.ts';
import { subjectProblem } from './subjects.ts';

export const HANDLER = 'wasmcloud:messaging/handler';

/** Messages handed to one actor at once, per link; the rest wait here, up to MAX_WAITING. */
const MAX_IN_FLIGHT = 32;
/** Messages waiting for an actor, per link: past this a message is a dead letter at once, not memory. */
const MAX_WAITING = 10_000;

export interface MessagingProviderOptions {
  readonly id?: string;
  /** How links reach NATS: their `url`, or the lattice's own servers. */
  readonly connect?: LatticeMessagingOpener;
  /** Publishes one of its events (a dead letter) beside the host's. */
  readonly publish?: (type: string, data: unknown) => void;
}

/** One link's subscriptions, and the messages on their way to its actor. */
interface Subscribed {
  readonly stops: (() => void)[];
  readonly waiting: LatticeMessage[];
  inFlight: number;
  /** Let go (its link deleted or replaced) while its subscriptions were still being made. */
  stopped: boolean;
}

const badConfig = (message: string) => new MessagingError('MESSAGING_BAD_LINK_CONFIG', `messaging link config: ${message}`);

/**
 * The wasmcloud:messaging provider. A link's `subscriptions` subscribe the actor's handler, in a
 * queue group of its own (so that each message reaches one of its instances, on whichever host);
 * its imports publish and request. Everything goes over NATS connections shared per server: the
 * lattice's own, or a link's `url`. A message whose handler fails or traps is a dead letter: logged,
 * published as an event, and never retried; the actor's other messages go on.
 */
export function messagingProvider(options: MessagingProviderOptions = {}): Provider & { readonly messaging: MessagingHandler } {
  const connections = new Map<string, Promise<LatticeMessaging>>();
  const subscribed = new Map<Link, Subscribed>();
  let host: ProviderHost | undefined;

  // A link never changes (a new put makes a new one), so its parsed config is kept with it: a
  // publish or a request does not read it again.
  const configs = new WeakMap<Link, MessagingLinkConfig>();
  const configOf = (link: Link): MessagingLinkConfig => {
    let config = configs.get(link);
    if (!config) {
      config = parseMessagingLinkConfig(link.config, badConfig);
      configs.set(link, config);
    }
    return config;
  };

  const connectionFor = async (config: MessagingLinkConfig): Promise<LatticeMessaging> => {
    if (!options.connect) throw new WitError('this messaging provider was started without a way to reach NATS: start it from badger up or badger provider run');
    const key = config.url ?? '';
    let connection = connections.get(key);
    if (!connection) {
      connection = options.connect(config.url);
      // A server that cannot be reached now is tried again by the next call.
      connection.catch(() => connections.delete(key));
      connections.set(key, connection);
    }
    try {
      return await connection;
    } catch (error) {
      throw new WitError(`cannot reach NATS ${config.url ?? 'of the lattice'}: ${(error as Error).message}`);
    }
  };

  /** Runs `work`, its failure the guest's string (a reserved subject, no answer). */
  const answered = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw error instanceof WitError ? error : new WitError((error as Error)?.message ?? String(error));
    }
  };

  const messaging: MessagingHandler = {
    request: (subject, body, timeoutMs, link) =>
      answered(async () => {
        const problem = subjectProblem(subject, false);
        if (problem) throw new WitError(problem);
        const answer = await (await connectionFor(configOf(link))).request(subject, body, timeoutMs);
        return { subject: answer.subject, body: answer.body, replyTo: answer.replyTo };
      }),
    publish: (message, link) =>
      answered(async () => {
        const problem = subjectProblem(message.subject, false) ?? (message.replyTo === undefined ? undefined : subjectProblem(message.replyTo, false));
        if (problem) throw new WitError(problem);
        (await connectionFor(configOf(link))).publish({ subject: message.subject, body: message.body, ...(message.replyTo === undefined ? {} : { replyTo: message.replyTo }) });
      }),
  };

  const deadLetter = (link: Link, message: LatticeMessage, reason: string) => {
    const letter = { actor: link.source, subject: message.subject, ...(message.replyTo ? { replyTo: message.replyTo } : {}), bytes: message.body.length, reason };
    host?.logger.warn({ deadLetter: letter }, `messaging: a message on ${message.subject} for ${link.source} was not handled: ${reason}`);
    options.publish?.('message_dead_letter', letter);
  };

  /** Hands the link's waiting messages to its actor, MAX_IN_FLIGHT at a time. */
  const pump = (link: Link, state: Subscribed) => {
    while (state.inFlight < MAX_IN_FLIGHT && state.waiting.length > 0) {
      const message = state.waiting.shift()!;
      state.inFlight++;
      const broker: BrokerMessage = { subject: message.subject, body: message.body, replyTo: message.replyTo };
      void (host ? host.callExport(link.source, HANDLER, 'handle-message', [broker]) : Promise.resolve({ err: undefined, reason: 'the provider is not attached to a host' }))
        .then(
          (outcome) => {
            if ('err' in outcome) deadLetter(link, message, outcome.reason ?? `the handler answered an error: ${String(outcome.err)}`);
          },
          (error: unknown) => deadLetter(link, message, (error as Error)?.message ?? String(error)),
        )
        .finally(() => {
          state.inFlight--;
          pump(link, state);
        });
    }
  };

  const subscribe = async (link: Link): Promise<void> => {
    const config = configOf(link);
    unsubscribe(link);
    if (config.subscriptions.length === 0 || !host?.reaches(link.source)) return;
    // Held before the first wait, so that a delete arriving meanwhile finds it and stops it.
    const state: Subscribed = { stops: [], waiting: [], inFlight: 0, stopped: false };
    subscribed.set(link, state);
    try {
      const connection = await connectionFor(config);
      for (const pattern of config.subscriptions) {
        if (state.stopped) break;
        state.stops.push(
          await connection.subscribe(pattern, `badger-messaging.${link.source}`, (message) => {
            if (state.waiting.length >= MAX_WAITING) return deadLetter(link, message, `${MAX_WAITING} messages are waiting for the actor already`);
            state.waiting.push(message);
            pump(link, state);
          }),
        );
      }
    } catch (error) {
      stop(link, state);
      throw badConfig(`cannot subscribe to ${config.subscriptions.join(', ')}: ${(error as Error).message}`);
    }
    if (state.stopped) stop(link, state);
  };

  const stop = (link: Link, state: Subscribed) => {
    state.stopped = true;
    for (const one of state.stops.splice(0)) one();
    if (subscribed.get(link) === state) subscribed.delete(link);
  };

  const unsubscribe = (link: Link) => {
    for (const [held, state] of subscribed) {
      if (held.source === link.source && held.interface === link.interface && held.name === link.name) stop(held, state);
    }
  };

  return {
    id: options.id ?? 'messaging',
    name: 'NATS messaging (wasmcloud:messaging)',
    messaging,
    serves: [serving(contract, messaging)],
    attach(provided) {
      host = provided;
    },
    async linkPut(link) {
      const config = configOf(link);
      if (link.interface === HANDLER) return subscribe(link);
      // A link for the imports: its server is reached now, so that a wrong url is said at link put.
      if (config.url !== undefined) await connectionFor(config);
    },
    linkDel(link) {
      if (link.interface === HANDLER) unsubscribe(link);
    },
    health: () => ({ healthy: true }),
    async shutdown() {
      for (const [link, state] of subscribed) stop(link, state);
      const open = [...connections.values()];
      connections.clear();
      await Promise.all(open.map(async (connection) => (await connection.catch(() => undefined))?.close()));
    },
  };
}
