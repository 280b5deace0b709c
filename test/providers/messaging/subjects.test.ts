import { describe, expect, it } from 'vitest';
import { reservedSubjectReason } from '../../../host/lattice/index.ts';
import { parseMessagingLinkConfig, subjectProblem } from '../../../providers/messaging/index.ts';

const refuse = (message: string) => new Error(message);

describe('subjects an actor writes', () => {
  it('takes plain subjects to publish to, and wildcards only in a pattern, > only last', () => {
    expect(subjectProblem('orders.eu.created', false)).toBeUndefined();
    expect(subjectProblem('orders.*.created', true)).toBeUndefined();
    expect(subjectProblem('orders.>', true)).toBeUndefined();
    expect(subjectProblem('orders.*', false)).toMatch(/has a wildcard/);
    expect(subjectProblem('orders.>.x', true)).toMatch(/> is only the last token/);
    expect(subjectProblem('orders.a*', true)).toMatch(/stand alone as tokens/);
    expect(subjectProblem('orders..x', false)).toMatch(/empty token/);
    expect(subjectProblem('', false)).toMatch(/empty/);
    expect(subjectProblem('with\ttab', false)).toMatch(/whitespace or a control character/);
    expect(subjectProblem('x'.repeat(1025), false)).toMatch(/over 1024 bytes/);
  });

  it("keeps the lattice's own subjects and the server's APIs from actors, and wildcard or inbox patterns from subscriptions", () => {
    expect(reservedSubjectReason('badger.ctl.v1.default.link_put', false)).toMatch(/lattice's own/);
    expect(reservedSubjectReason('$KV.bucket.key', false)).toMatch(/server's own API/);
    expect(reservedSubjectReason('_INBOX.abc', false)).toBeUndefined();
    expect(reservedSubjectReason('_INBOX.>', true)).toMatch(/replies/);
    expect(reservedSubjectReason('*.orders', true)).toMatch(/first token/);
    expect(reservedSubjectReason('orders.>', true)).toBeUndefined();
    expect(reservedSubjectReason('badgers.den', false)).toBeUndefined();
  });
});

describe('a messaging link config', () => {
  it('reads comma-separated subscriptions once each, and a NATS url', () => {
    expect(parseMessagingLinkConfig({ subscriptions: ' a.> , b.c,a.> ', url: 'nats://10.0.0.2:4222' }, refuse)).toEqual({ subscriptions: ['a.>', 'b.c'], url: 'nats://10.0.0.2:4222' });
    expect(parseMessagingLinkConfig({}, refuse)).toEqual({ subscriptions: [], url: undefined });
  });

  it('refuses an unknown key, a bad pattern and a url that is not a NATS server, naming each', () => {
    expect(() => parseMessagingLinkConfig({ subscribe: 'a' }, refuse)).toThrow('unknown key subscribe');
    expect(() => parseMessagingLinkConfig({ subscriptions: 'a.>.b' }, refuse)).toThrow('> is only the last token');
    expect(() => parseMessagingLinkConfig({ url: 'http://x' }, refuse)).toThrow('url=http://x is not a NATS server URL');
  });
});
