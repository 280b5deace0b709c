import { subjectProblem } from './subjects.ts';

/** What a messaging link's config says, checked. */
export interface MessagingLinkConfig {
  /** The patterns the actor's handler is subscribed to; none for a link that only publishes and requests. */
  readonly subscriptions: readonly string[];
  /** A NATS server of the link's own; undefined: the lattice's. */
  readonly url: string | undefined;
}

const KNOWN_KEYS = new Set(['subscriptions', 'url']);

/**
 * Reads a messaging link's config (pure): `subscriptions`, comma-separated NATS subject patterns
 * (`orders.>,audit.*`), and `url`, a NATS server other than the lattice's. An unknown key is
 * refused: a misspelt `subscriptions` would otherwise leave the actor deaf without a word.
 */
export function parseMessagingLinkConfig(config: Readonly<Record<string, string>>, refuse: (message: string) => Error): MessagingLinkConfig {
  const unknown = Object.keys(config).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) throw refuse(`unknown key ${unknown.join(', ')}; known: subscriptions, url`);
  const subscriptions = [...new Set((config.subscriptions ?? '').split(',').map((pattern) => pattern.trim()).filter((pattern) => pattern !== ''))];
  for (const pattern of subscriptions) {
    const problem = subjectProblem(pattern, true);
    if (problem) throw refuse(`subscriptions: ${problem}`);
  }
  const url = config.url;
  if (url !== undefined && !/^(nats|tls|wss?):\/\/[^\s]+$/.test(url)) throw refuse(`url=${url} is not a NATS server URL (nats://host:port)`);
  return { subscriptions, url };
}
