/**
 * Exports are capabilities: an actor whose claims do not name wasi:http/incoming-handler gets no
 * HTTP server link, here or through the lattice, and a policy that narrows an issuer holds for
 * exports as for imports.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, signArtifact } from '../../claims/index.ts';
import { defaultPolicy, Host, type Policy } from '../../host/index.ts';
import { callRemoteActor } from '../../host/lattice/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../../providers/http-server/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { joinedHost, type JoinedHost } from '../fixtures/lattice-host.ts';
import { latticeKeys, memberBus } from '../fixtures/lattice-members.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';

const issuer = generateKeyPair('account');
let work: string;

/** hello-wat, which exports an HTTP handler, signed again by this test's issuer with `caps`. */
async function helloSignedWith(caps: string[]): Promise<string> {
  const signed = await signArtifact(new Uint8Array(await readFile(builtActor('hello-wat'))), { issuer, subject: generateKeyPair('component'), issuedAt: Math.floor(Date.now() / 1000) - 60, claims: { name: `hello-${caps.length}`, caps } });
  const path = join(work, `hello-${caps.length}-${Math.random().toString(36).slice(2)}.wasm`);
  await writeFile(path, signed.bytes);
  return path;
}

async function hostWith(policy: Policy): Promise<{ host: Host; http: ReturnType<typeof httpServerProvider> }> {
  const host = new Host({ cacheDir: join(work, 'cache'), policy, logger: pino({ level: 'silent' }) });
  const http = httpServerProvider();
  await host.startProvider(http);
  return { host, http };
}

const hosts: Host[] = [];
let nats: RunningNats;
let member: JoinedHost | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-exports-'));
});

afterAll(async () => {
  for (const host of hosts) await host.shutdown();
  await member?.membership.leave();
  await member?.host.shutdown();
  await nats?.stop();
});

describe('an actor that exports an HTTP handler its claims do not name', () => {
  it('is refused an HTTP server link with POLICY_CAPABILITY_DENIED, and nothing listens', async () => {
    const { host, http } = await hostWith(defaultPolicy([issuer.publicKey]));
    hosts.push(host);
    const hello = await host.startActor(await helloSignedWith([]));
    await expect(host.putLink({ source: hello.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } })).rejects.toMatchObject({
      code: 'POLICY_CAPABILITY_DENIED',
      message: expect.stringContaining(`--cap ${HTTP_INCOMING_HANDLER}`),
    });
    expect(http.addresses()).toEqual([]);
    expect(host.links.query({ source: hello.id })).toEqual([]);
  });

  it('serves once signed with the capability', async () => {
    const { host, http } = await hostWith(defaultPolicy([issuer.publicKey]));
    hosts.push(host);
    const hello = await host.startActor(await helloSignedWith([HTTP_INCOMING_HANDLER]));
    await host.putLink({ source: hello.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
    const address = http.addresses().find((served) => served.actor === hello.id)!.address;
    expect((await fetch(`http://${address}/`)).status).toBe(200);
  });

  it('is not served to the lattice either: a forwarded request finds no handler', async () => {
    nats = await startNatsServer();
    const keys = latticeKeys();
    member = await joinedHost(nats.url, 'exports', { keys, issuers: [issuer.publicKey] });
    const hello = await member.host.startActor(await helloSignedWith([]));
    const caller = memberBus(member.membership.connection, 'exports', keys);
    try {
      const request = { method: 'GET', pathWithQuery: '/', authority: 'pi', headers: [] as [string, string][], body: new Uint8Array() };
      const reply = await callRemoteActor(caller, hello.id, HTTP_INCOMING_HANDLER, { kind: 'http', request }, 1000);
      expect(reply).toMatchObject({ unanswered: 'not-running' });
    } finally {
      caller.stop();
    }
  });
});

describe('a policy that narrows an issuer', () => {
  const narrow = (): Policy => ({ ...defaultPolicy([]), issuers: [{ key: issuer.publicKey, capabilities: ['wasi:keyvalue/*'] }] });

  it('refuses to start an actor that claims the HTTP handler the policy does not allow', async () => {
    const { host } = await hostWith(narrow());
    hosts.push(host);
    await expect(host.startActor(await helloSignedWith([HTTP_INCOMING_HANDLER]))).rejects.toMatchObject({ code: 'POLICY_CAPABILITY_DENIED' });
  });

  it('refuses the link of one that does not claim it', async () => {
    const { host, http } = await hostWith(narrow());
    hosts.push(host);
    const hello = await host.startActor(await helloSignedWith([]));
    await expect(host.putLink({ source: hello.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } })).rejects.toMatchObject({ code: 'POLICY_CAPABILITY_DENIED' });
    expect(http.addresses()).toEqual([]);
  });
});
