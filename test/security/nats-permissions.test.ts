/**
 * Where the operator runs the NATS servers, `badger nats hub --member-user … --operator-user …`
 * gives each user only the subjects it needs: the server itself then refuses strangers, and an
 * operator's connection cannot publish an RPC call or an event, whatever it signs.
 */
import { connect, nkeyAuthenticator, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../claims/index.ts';
import { discoverHosts, hubConfig, runNatsServer, type NatsProcess } from '../../host/lattice/index.ts';
import { joinedHost, type JoinedHost } from '../fixtures/lattice-host.ts';
import { latticeKeys, operatorBus } from '../fixtures/lattice-members.ts';
import { freePort } from '../fixtures/nats-server.ts';

const LATTICE = 'guarded';
const memberUser = generateKeyPair('user');
const operatorUser = generateKeyPair('user');
let hub: NatsProcess;
let url: string;
let host: JoinedHost;
let operator: NatsConnection;
const keys = latticeKeys();
const connectAs = (user: typeof memberUser) => connect({ servers: url, authenticator: nkeyAuthenticator(new TextEncoder().encode(user.seed)), reconnect: false });

beforeAll(async () => {
  const [port, leafPort] = [await freePort(), await freePort()];
  hub = await runNatsServer(hubConfig({ host: '127.0.0.1', port, leafPort, users: { lattice: LATTICE, members: [memberUser.publicKey], operators: [operatorUser.publicKey] } }), '127.0.0.1', port);
  url = `nats://127.0.0.1:${port}`;
  host = await joinedHost(url, LATTICE, { keys, issuers: [], nkeySeed: memberUser.seed, labels: { role: 'member' } });
  operator = await connectAs(operatorUser);
}, 30_000);

afterAll(async () => {
  await host?.membership.leave();
  await host?.host.shutdown();
  await operator?.close();
  await hub?.stop();
});

describe('a hub with per-user permissions', () => {
  it('lets no one connect without a user it lists', async () => {
    await expect(connect({ servers: url, reconnect: false })).rejects.toMatchObject({ message: expect.stringMatching(/Authorization Violation/i) });
  });

  it('lets a member serve and an operator ask it', async () => {
    expect((await discoverHosts(operatorBus(operator, LATTICE, keys.operator), 500)).map((found) => found.labels)).toEqual([{ role: 'member' }]);
  });

  it('keeps an operator from publishing RPC calls, events and handshakes', async () => {
    const member = await connectAs(memberUser);
    try {
      const seen: string[] = [];
      for (const kind of ['rpc', 'evt', 'auth', 'ctl.v1']) {
        member.subscribe(`badger.${kind}.${LATTICE}.>`, { callback: (error, message) => (error ? seen.push(`error: ${error.message}`) : seen.push(message.subject)) });
      }
      await member.flush();
      for (const subject of [`badger.rpc.${LATTICE}.kv.wasi:keyvalue/store`, `badger.evt.${LATTICE}.link_put`, `badger.auth.${LATTICE}.${host.id}`]) operator.publish(subject, 'forged');
      // A control request the operator may send, after the others on the same connection: once it has arrived, they would have too.
      operator.publish(`badger.ctl.v1.${LATTICE}.ping`, 'allowed');
      await operator.flush().catch(() => {});
      for (let attempt = 0; attempt < 50 && !seen.includes(`badger.ctl.v1.${LATTICE}.ping`); attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
      // The host's own heartbeats may pass too: they are a member's, on the member's connection.
      expect(seen.filter((subject) => !subject.endsWith('host_heartbeat'))).toEqual([`badger.ctl.v1.${LATTICE}.ping`]);
    } finally {
      await member.close();
    }
  });
});
