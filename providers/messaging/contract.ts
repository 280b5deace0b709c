// The guest side runs in every actor thread that imports wasmcloud:messaging: from the host, types only.
import type { Contract, Link, RoutedCall } from '../../host/index.ts';

/** wasmcloud:messaging's broker-message, as jco spells it. */
export interface BrokerMessage {
  readonly subject: string;
  readonly body: Uint8Array;
  readonly replyTo?: string | undefined;
}

/** What a messaging provider implements for actors' imports. Every failure is a WitError holding a string, the interface's error. */
export interface MessagingHandler {
  request(subject: string, body: Uint8Array, timeoutMs: number, link: Link): Promise<BrokerMessage>;
  publish(message: BrokerMessage, link: Link): Promise<void>;
}

const CONSUMER = 'wasmcloud:messaging/consumer';
const TYPES = 'wasmcloud:messaging/types';
const U32_MAX = 0xffff_ffff;

/** Why a call's arguments do not fit the WIT (pure): a call may come from another host of the lattice. */
export function messagingArgumentsProblem(operation: string, args: readonly unknown[]): string | undefined {
  if (operation === 'request') {
    const [subject, body, timeoutMs] = args;
    if (args.length !== 3) return `takes 3 arguments, not ${args.length}`;
    if (typeof subject !== 'string') return 'the subject is not a string';
    if (!(body instanceof Uint8Array)) return 'the body is not bytes';
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > U32_MAX) return 'the timeout is not a u32';
    return undefined;
  }
  if (operation === 'publish') {
    if (args.length !== 1) return `takes 1 argument, not ${args.length}`;
    const message = args[0] as Partial<BrokerMessage> | null;
    if (typeof message !== 'object' || message === null) return 'the message is not a broker-message';
    if (typeof message.subject !== 'string' || !(message.body instanceof Uint8Array)) return 'the message has no string subject or no bytes body';
    if (message.replyTo !== undefined && typeof message.replyTo !== 'string') return 'the reply-to is not a string';
  }
  return undefined;
}

export const contract: Contract<MessagingHandler> = {
  module: import.meta.url,
  package: 'wasmcloud:messaging',
  versions: '0.2.0',
  // The types interface has no functions: it is carried so that a component importing it is served.
  interfaces: [CONSUMER, TYPES],
  asyncImports: [],

  guestImports(call: RoutedCall) {
    return {
      [CONSUMER]: {
        request: (subject: string, body: Uint8Array, timeoutMs: number) => call(CONSUMER, 'request', [subject, body, timeoutMs]),
        publish: (message: BrokerMessage) => call(CONSUMER, 'publish', [message]),
      },
      [TYPES]: {},
    };
  },

  dispatch(handler, iface, operation, args, link) {
    if (iface !== CONSUMER || (operation !== 'request' && operation !== 'publish')) return undefined;
    const problem = messagingArgumentsProblem(operation, args);
    if (problem !== undefined) return Promise.reject(new Error(`${iface}#${operation}: ${problem}`));
    if (operation === 'request') return handler.request(args[0] as string, args[1] as Uint8Array, args[2] as number, link);
    return handler.publish(args[0] as BrokerMessage, link);
  },

  // wasmcloud:messaging's error is a string: the guest reads this message.
  notLinked: (message) => message,
  failed: (message) => message,
};
