import { ErrorCode, type NatsConnection, type NatsError, type Subscription } from 'nats';
import { LatticeError } from '../errors.ts';
import type { LatticeMessage, LatticeMessaging } from '../remote-targets.ts';
import { authenticatorFor, connectLattice, type LatticeCredentials } from './lattice-client.ts';
import { reservedSubjectReason } from './subjects.ts';

function refuseReserved(subject: string, asPattern: boolean): void {
  const reason = reservedSubjectReason(subject, asPattern);
  if (reason !== undefined) throw new LatticeError('LATTICE_SUBJECT_RESERVED', `${subject} is not for actors: ${reason}`);
}

/** How long closing waits for what was published to reach the server. */
const DRAIN_MS = 2000;

const messageOf = (subject: string, data: Uint8Array, reply: string | undefined): LatticeMessage => ({ subject, body: data, ...(reply ? { replyTo: reply } : {}) });

/** Why a request got no answer, in words an actor's author can act on. */
function unansweredReason(error: unknown, subject: string, timeoutMs: number): string {
  const code = (error as NatsError | undefined)?.code;
  if (code === ErrorCode.NoResponders) return `no one answers on ${subject}`;
  if (code === ErrorCode.Timeout) return `no answer on ${subject} within ${timeoutMs} ms`;
  return `the request on ${subject} failed: ${(error as Error)?.message ?? String(error)}`;
}

/**
 * Actors' messages on a NATS connection of their own, beside the host's: an actor's traffic never
 * shares the host's inbox, and closing it leaves the lattice alone. `credentials` are the host's,
 * for the lattice's own servers.
 */
export async function openLatticeMessaging(servers: string | string[], credentials?: LatticeCredentials): Promise<LatticeMessaging> {
  const connection: NatsConnection = await connectLattice(servers, { name: 'badger-messaging', ...authenticatorFor(credentials) });
  const subscriptions = new Set<Subscription>();
  return {
    publish(message) {
      refuseReserved(message.subject, false);
      if (message.replyTo !== undefined) refuseReserved(message.replyTo, false);
      connection.publish(message.subject, message.body, message.replyTo ? { reply: message.replyTo } : {});
    },
    async request(subject, body, timeoutMs) {
      refuseReserved(subject, false);
      try {
        const answer = await connection.request(subject, body, { timeout: timeoutMs });
        return messageOf(answer.subject, answer.data, answer.reply);
      } catch (error) {
        throw new LatticeError('LATTICE_NO_ANSWER', unansweredReason(error, subject, timeoutMs), { cause: error });
      }
    },
    async subscribe(subject, queue, deliver) {
      refuseReserved(subject, true);
      const subscription = connection.subscribe(subject, { queue, callback: (error, message) => !error && deliver(messageOf(message.subject, message.data, message.reply)) });
      subscriptions.add(subscription);
      await connection.flush();
      return () => {
        subscriptions.delete(subscription);
        subscription.unsubscribe();
      };
    },
    async close() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      subscriptions.clear();
      // A drain lets what was published go out; with the server gone it would wait for ever.
      const drained = connection.drain().then(() => true, () => false);
      const inTime = await Promise.race([drained, new Promise<false>((resolve) => setTimeout(() => resolve(false), DRAIN_MS).unref())]);
      if (!inTime) await connection.close().catch(() => {});
    },
  };
}
