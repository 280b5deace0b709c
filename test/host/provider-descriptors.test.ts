import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, signArtifact } from '../../claims/index.ts';
import { Capabilities, defaultPolicy, requestLocalHost, startDaemon, type ControlRequest, type Daemon, type ProviderDescriptor } from '../../host/index.ts';
import { keyValueDescriptor } from '../../providers/keyvalue/index.ts';
import { GREETER, greetingActorComponent, greetingContract, greetingDescriptor } from '../fixtures/providers/greeting/index.ts';

let daemon: Daemon;
let actorFile: string;

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'badger-descriptors-'));
  const issuer = generateKeyPair('account');
  const signed = await signArtifact(await greetingActorComponent(), { issuer, subject: generateKeyPair('component'), issuedAt: Math.floor(Date.now() / 1000) - 60, claims: { name: 'greeting-caller', caps: [GREETER] } });
  actorFile = join(home, 'greeting-caller.wasm');
  await writeFile(actorFile, signed.bytes);
  // The fixture provider reaches the host only as a descriptor handed to the daemon: nothing under host/ names it.
  daemon = await startDaemon({ home, socketPath: join(home, 'host.sock'), policy: defaultPolicy([issuer.publicKey]), logger: pino({ level: 'silent' }), providers: [greetingDescriptor] });
  daemon.markReady();
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
});

const ask = async (request: ControlRequest): Promise<unknown> => {
  const response = await requestLocalHost(daemon.socketPath, request);
  if (!response.ok) throw new Error(`${request.op}: ${response.code} ${response.message}`);
  return response.data;
};

describe('a provider that lives only under test/fixtures', () => {
  it('is listed with what its descriptor declares', async () => {
    expect(await ask({ op: 'provider-kinds' })).toEqual([
      {
        name: 'greeting',
        summary: greetingDescriptor.summary,
        interfaces: [{ name: GREETER, versions: '0.1.0' }],
        drives: [],
        linkConfig: [{ key: 'salutation', meaning: 'the word before the name', default: 'Hello' }],
        services: { greeted: greetingDescriptor.services!.greeted },
      },
    ]);
  });

  it('is started by name and serves an actor through a link, with the link\'s config', async () => {
    expect(await ask({ op: 'start-provider', kind: 'greeting', id: 'greeter-sv' })).toEqual({ id: 'greeter-sv', name: 'greeting (a test fixture)' });
    const actor = ((await ask({ op: 'start-actor', location: actorFile })) as { id: string }).id;
    const run = (name: string) => ask({ op: 'call', actor, function: 'run', args: [name] });

    // No link yet: the interface's own error value, not a crash.
    expect(await run('Ada')).toEqual({ err: expect.stringContaining(`no link for ${GREETER} from ${actor}`) });
    await ask({ op: 'put-link', source: actor, target: 'greeter-sv', interface: GREETER, config: { salutation: 'Hej' } });
    expect(await run('Ada')).toEqual({ ok: 'Hej, Ada!' });
    // The provider's own failure crosses as the err value it chose.
    expect(await run(' ')).toEqual({ err: 'a greeting needs a name' });

    // Its named service and its health, through the host's control interface.
    expect(await ask({ op: 'provider-service', service: 'greeted', provider: 'greeter-sv', request: {} })).toEqual({ count: 1 });
    const inventory = (await ask({ op: 'get-inventory' })) as { providers: { id: string; health: unknown }[] };
    expect(inventory.providers).toEqual([{ id: 'greeter-sv', name: 'greeting (a test fixture)', health: { healthy: true, message: '1 greeted' } }]);
  });

  it('refuses a link whose config the provider does not take, and keeps no trace of it', async () => {
    const actor = 'greeting-caller';
    const refused = await requestLocalHost(daemon.socketPath, { op: 'put-link', source: actor, target: 'greeter-sv', interface: GREETER, name: 'odd', config: { salutation: 'Hi!!' } });
    expect(refused).toMatchObject({ ok: false, message: expect.stringContaining('salutation="Hi!!"') });
    expect(((await ask({ op: 'query-links' })) as { name: string }[]).map((link) => link.name)).toEqual(['default']);
  });

  it('answers a service nobody offers with PROVIDER_NOT_FOUND', async () => {
    expect(await requestLocalHost(daemon.socketPath, { op: 'provider-service', service: 'snapshot', request: {} })).toMatchObject({ ok: false, code: 'PROVIDER_NOT_FOUND' });
  });
});

describe('the capabilities a host routes', () => {
  it('refuses two contracts for one interface, and two kinds with one name', () => {
    const capabilities = new Capabilities([greetingDescriptor]);
    expect(capabilities.contractFor(GREETER)).toBe(greetingContract);
    const rival: ProviderDescriptor = { ...greetingDescriptor, name: 'rival', contracts: [{ ...greetingContract, module: 'file:///elsewhere.ts' }] };
    expect(() => capabilities.addDescriptor(rival)).toThrow(expect.objectContaining({ code: 'PROVIDER_CONFLICT' }));
    expect(() => capabilities.addDescriptor({ ...keyValueDescriptor, name: 'greeting' })).toThrow(expect.objectContaining({ code: 'PROVIDER_CONFLICT' }));
    // Neither refusal left anything half-registered.
    expect(capabilities.descriptors.map((kind) => kind.name)).toEqual(['greeting']);
    expect(capabilities.contractFor('wasi:keyvalue/store')).toBeUndefined();
  });

  it('lists the contract functions in one order, whatever the order they were added in', () => {
    // Neither shipped contract suspends; one whose guest side waits in the actor's thread would.
    const waiting = { ...greetingDescriptor, contracts: [{ ...greetingContract, asyncImports: [`${GREETER}#greet`] }] };
    const chatty = { ...keyValueDescriptor, contracts: keyValueDescriptor.contracts.map((contract) => ({ ...contract, asyncImports: ['wasi:keyvalue/store#open'] })) };
    const one = new Capabilities([chatty, waiting]);
    const other = new Capabilities([waiting, chatty]);
    expect(one.asyncImports).toEqual(other.asyncImports);
    expect(one.asyncImports).toEqual(['example:greeting/greeter#greet', 'wasi:keyvalue/store#open']);
  });
});
