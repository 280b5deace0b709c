// nats-echo: answers each message on its subscriptions with the same body, on the message's
// reply-to; a message without one is only logged.
import { publish } from 'wasmcloud:messaging/consumer@0.2.0';
import type { BrokerMessage } from 'wasmcloud:messaging/types@0.2.0';
import { log } from 'wasi:logging/logging@0.1.0-draft';

export const handler = {
  handleMessage(message: BrokerMessage): void {
    if (message.replyTo === undefined) {
      log('debug', 'nats-echo', `${message.subject}: ${message.body.length} bytes, no reply-to`);
      return;
    }
    publish({ subject: message.replyTo, body: message.body, replyTo: undefined });
  },
};
