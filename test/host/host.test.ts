import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken, signArtifact, type KeyPair, type PublicKey } from '../../claims/index.ts';
import { defaultPolicy, type HandledResponse, Host, type InvocationResult } from '../../host/index.ts';
import { keyValueDescriptor, keyValueProvider } from '../../providers/keyvalue/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import {
  filesystemComponent,
  greeterCallerComponent,
  greeterComponent,
  loggingComponent,
  memoryBombComponent,
  slowComponent,
  spinningComponent,
  trappingComponent,
} from '../fixtures/wat-components.ts';

let work: string;
let host: Host;
let ours: KeyPair;

/** The account that signed the example actors (npm run build:actors), read from one of them. */
async function examplesIssuer(): Promise<PublicKey> {
  return decodeClaimsToken(readTopLevelToken(await readFile(builtActor('hello-wat')))!).iss;
}

async function signedFile(name: string, bytes: Uint8Array, caps: string[] = [], extra: { expiresAt?: number; issuer?: KeyPair } = {}): Promise<string> {
  const signed = await signArtifact(bytes, {
    issuer: extra.issuer ?? ours,
    subject: generateKeyPair('component'),
    issuedAt: Math.floor(Date.now() / 1000) - 60,
    claims: { name, caps, ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}) },
  });
  const path = join(work, `${name}.wasm`);
  await writeFile(path, signed.bytes);
  return path;
}

function text(result: InvocationResult): string {
  expect(result).toMatchObject({ ok: true });
  return new TextDecoder().decode((result as { value: HandledResponse }).value.body);
}

const get = (path: string) => ({ kind: 'http' as const, request: { method: 'GET', pathWithQuery: path, scheme: 'http' as const, authority: '127.0.0.1', headers: [], body: new Uint8Array() } });
const call = (name: string, ...args: unknown[]) => ({ kind: 'call' as const, name, args });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-host-'));
  ours = generateKeyPair('account');
  host = new Host({
    cacheDir: join(work, 'cache'),
    policy: defaultPolicy([await examplesIssuer(), ours.publicKey]),
    logger: pino({ level: 'silent' }),
    // The counter actor starts before any store does: the host must know wasi:keyvalue from the start.
    providers: [keyValueDescriptor],
  });
});

afterAll(() => host.shutdown());

describe('host: running actors', () => {
  it('starts the signed hello actors and calls them', async () => {
    const wat = await host.startActor(builtActor('hello-wat'));
    const ts = await host.startActor(builtActor('hello'));
    expect(text(await host.invoke(wat.id, get('/')))).toBe('Hello from awesome-badger!\n');
    expect(text(await host.invoke(ts.id, get('/echo?msg=%3Cb%3E')))).toContain('<p>&lt;b&gt;</p>');
    expect(text(await host.invoke('hello', get('/')))).toBe('Hello from awesome-badger!\n');
  });

  it('starts an actor from an http URL', async () => {
    const bytes = await readFile(await signedFile('from-url', await trappingComponent()));
    const server = createServer((_request, response) => response.end(bytes));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const actor = await host.startActor(`http://127.0.0.1:${(server.address() as AddressInfo).port}/from-url.wasm`);
      expect(await host.invoke(actor.id, call('run', 5))).toEqual({ ok: true, value: { ok: 5 } });
      await host.stopActor(actor.id);
    } finally {
      server.close();
    }
  });

  it('routes keyvalue calls through a link to a provider, and answers with the interface error without one', async () => {
    const counter = await host.startActor(builtActor('counter'));
    const unlinked = await host.invoke(counter.id, get('/a'));
    expect((unlinked as { value: HandledResponse }).value.status).toBe(503);
    expect(text(unlinked)).toMatch(/no link for wasi:keyvalue\/store/);

    const store = keyValueProvider();
    await host.startProvider(store);
    for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) await host.putLink({ source: counter.id, interface: iface, target: store.id });
    expect(JSON.parse(text(await host.invoke(counter.id, get('/a'))))).toEqual({ path: '/a', count: 1 });
    expect(JSON.parse(text(await host.invoke(counter.id, get('/a'))))).toEqual({ path: '/a', count: 2 });
    // With no bucket named in its link, the actor gets a bucket of its own.
    expect(new TextDecoder().decode(store.memory.data.get(`${counter.id}-default`)!.get('counter:/a'))).toBe('2');
  });

  it('routes a call from one actor to another through a link', async () => {
    const greeter = await host.startActor(await signedFile('greeter', await greeterComponent()));
    const caller = await host.startActor(await signedFile('caller', await greeterCallerComponent(), ['example:greeter/greet']));
    // Unlinked, a plain function has no error to return: the call fails and the caller's thread is replaced.
    expect(await host.invoke(caller.id, call('run', 21))).toMatchObject({ ok: false, code: 'ACTOR_CALL_FAILED', message: expect.stringMatching(/no link for example:greeter\/greet/) });
    await host.putLink({ source: caller.id, interface: 'example:greeter/greet', target: greeter.id });
    expect(await host.invoke(caller.id, call('run', 21))).toEqual({ ok: true, value: { ok: 42 } });
    await host.stopActor(greeter.id);
    expect(await host.invoke(caller.id, call('run', 1))).toMatchObject({ ok: false, code: 'ACTOR_CALL_FAILED', message: expect.stringMatching(/not running/) });
  });

  it('refuses an actor that imports another actor\'s interface without claiming it', async () => {
    await expect(host.startActor(await signedFile('caller-unclaimed', await greeterCallerComponent()))).rejects.toMatchObject({
      code: 'ACTOR_IMPORT_UNSATISFIED',
      message: expect.stringMatching(/example:greeter\/greet/),
    });
  });

  it('replaces a link, and passes its config to the provider with each call', async () => {
    const counter = host.actorId('counter');
    const store = keyValueProvider({ id: 'kv-config' });
    await host.startProvider(store);
    for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) {
      await host.putLink({ source: counter, interface: iface, target: store.id, config: { bucket: 'shared' } });
    }
    expect(text(await host.invoke(counter, get('/c')))).toContain('"count":1');
    expect([...store.memory.data.keys()]).toEqual(['shared']);
  });

  it('writes what an actor logs to the host log, under the actor\'s id', async () => {
    const lines: Record<string, unknown>[] = [];
    const logged = new Host({
      cacheDir: join(work, 'cache'),
      policy: defaultPolicy([ours.publicKey]),
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
    const actor = await logged.startActor(await signedFile('logger', await loggingComponent()));
    expect(await logged.invoke(actor.id, call('run', 4))).toEqual({ ok: true, value: { ok: 4 } });
    await logged.shutdown();
    expect(lines).toContainEqual(expect.objectContaining({ actor: actor.id, name: 'logger', context: 'greeter', msg: 'hello from wat', level: 30 }));
  });

  it('refuses a second start of a running actor, even one racing the first', async () => {
    const path = await signedFile('racer', await trappingComponent());
    const results = await Promise.allSettled([host.startActor(path), host.startActor(path)]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'ACTOR_ALREADY_RUNNING' });
    const started = results.find((result) => result.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>;
    await host.stopActor(started.value.id);
  });

  it('does not transpile the same component again on a second start', async () => {
    // Code no other test here starts: the transpile cache is keyed by the code, not by its signature.
    const path = await signedFile('spinner-twice', await spinningComponent());
    const first = await host.startActor(path);
    await host.stopActor(first.id);
    const second = await host.startActor(path);
    expect(first.transpiled).toBe(true);
    expect(second.transpiled).toBe(false);
    await host.stopActor(second.id);
  });
});

describe('host: refusals', () => {
  it.each([
    ['unsigned', async () => { const p = join(work, 'unsigned.wasm'); await writeFile(p, await trappingComponent()); return p; }, 'POLICY_UNSIGNED_DENIED'],
    ['tampered', async () => {
      const p = await signedFile('tampered', await trappingComponent());
      const bytes = await readFile(p);
      bytes[60] = bytes[60]! ^ 0x01;
      await writeFile(p, bytes);
      return p;
    }, 'CLAIMS_HASH_MISMATCH'],
    ['expired', async () => signedFile('expired', await trappingComponent(), [], { expiresAt: Math.floor(Date.now() / 1000) - 10 }), 'CLAIMS_EXPIRED'],
    ['signed by an untrusted issuer', async () => signedFile('stranger', await trappingComponent(), [], { issuer: generateKeyPair('account') }), 'POLICY_ISSUER_DENIED'],
    ['importing a shape of wasi:filesystem that the standard does not have', async () => signedFile('fs-reader', await filesystemComponent()), 'ACTOR_IMPORT_UNSATISFIED'],
  ])('refuses a component %s, with its code, and keeps serving', async (_label, make, code) => {
    await expect(host.startActor(await make())).rejects.toMatchObject({ code });
    expect(text(await host.invoke('hello-wat', get('/')))).toBe('Hello from awesome-badger!\n');
  });

  it('runs an unsigned component when the policy allows unsigned ones, with no capabilities', async () => {
    const lenient = new Host({ cacheDir: join(work, 'cache'), policy: { ...defaultPolicy([]), allowUnsigned: true }, logger: pino({ level: 'silent' }) });
    const path = join(work, 'unsigned-allowed.wasm');
    await writeFile(path, await trappingComponent());
    const actor = await lenient.startActor(path);
    expect(actor.id).toMatch(/^unsigned-[0-9A-F]{16}$/);
    expect(actor.capabilities).toEqual([]);
    expect(await lenient.invoke(actor.id, call('run', 2))).toEqual({ ok: true, value: { ok: 2 } });
    await expect(lenient.startActor(await signedFile('fs-unsigned-host', await filesystemComponent()))).rejects.toMatchObject({ code: 'POLICY_ISSUER_DENIED' });
    await lenient.shutdown();
  });

  it('names the refused interface', async () => {
    await expect(host.startActor(await signedFile('fs-reader-2', await filesystemComponent()))).rejects.toMatchObject({
      message: expect.stringMatching(/wasi:filesystem\/preopens/),
    });
  });
});

describe('host: supervision', () => {
  it('recovers a trapping actor: the next call succeeds', async () => {
    const actor = await host.startActor(await signedFile('trapper', await trappingComponent()));
    expect(await host.invoke(actor.id, call('run', 0))).toMatchObject({ ok: false, code: 'ACTOR_TRAPPED' });
    expect(await host.invoke(actor.id, call('run', 7))).toEqual({ ok: true, value: { ok: 7 } });
    expect(host.inventory().actors.find((a) => a.id === actor.id)!.failures).toEqual({ ACTOR_TRAPPED: 1 });
  });

  it('ends an endless loop at its deadline while another actor keeps answering', async () => {
    const spinner = await host.startActor(await signedFile('spinner', await spinningComponent()), { deadlineMs: 1500 });
    const spinning = host.invoke(spinner.id, call('spin'));
    let answered = 0;
    for (let i = 0; i < 5; i++) {
      expect(text(await host.invoke('hello-wat', get('/')))).toBe('Hello from awesome-badger!\n');
      answered++;
    }
    expect(await spinning).toMatchObject({ ok: false, code: 'ACTOR_DEADLINE' });
    expect(answered).toBe(5);
    expect(await host.invoke(spinner.id, call('run', 3))).toEqual({ ok: true, value: { ok: 3 } });
  });

  it('stops a memory bomb at its memory limit, and the host lives', async () => {
    const bomb = await host.startActor(await signedFile('bomb', await memoryBombComponent()), { memoryLimitMb: 16 });
    expect(await host.invoke(bomb.id, call('bomb'))).toMatchObject({ ok: false, code: 'ACTOR_TRAPPED' });
    expect(await host.invoke(bomb.id, call('run', 9))).toEqual({ ok: true, value: { ok: 9 } });
    expect(text(await host.invoke('hello-wat', get('/')))).toBe('Hello from awesome-badger!\n');
  });

  it('refuses at start an actor whose memory starts above its limit', async () => {
    await expect(host.startActor(await signedFile('big', await memoryBombComponent()), { memoryLimitMb: 0.01 })).rejects.toMatchObject({
      code: 'ACTOR_MEMORY_LIMIT',
    });
  });

  it('drains on stop: the call in flight finishes, a new one is refused', async () => {
    const slow = await host.startActor(await signedFile('slow', await slowComponent()));
    expect(await host.invoke(slow.id, call('work', 1))).toEqual({ ok: true, value: { ok: 1 } });
    const inFlight = host.invoke(slow.id, call('work', 400_000_000));
    const stopping = host.stopActor(slow.id);
    expect(await host.invoke(slow.id, call('work', 1))).toMatchObject({ ok: false, code: 'ACTOR_STOPPING' });
    expect(await inFlight).toEqual({ ok: true, value: { ok: 400_000_000 } });
    await stopping;
    await expect(host.invoke(slow.id, call('work', 1))).rejects.toMatchObject({ code: 'ACTOR_NOT_FOUND' });
  });

  it('answers ACTOR_BUSY when every instance is busy and the queue is full', async () => {
    const busy = await host.startActor(await signedFile('busy', await spinningComponent()), { maxInstances: 1, queueLimit: 1, deadlineMs: 1000 });
    const first = host.invoke(busy.id, call('spin'));
    const queued = host.invoke(busy.id, call('run', 1));
    expect(await host.invoke(busy.id, call('run', 2))).toMatchObject({ ok: false, code: 'ACTOR_BUSY' });
    expect(await first).toMatchObject({ code: 'ACTOR_DEADLINE' });
    expect(await queued).toEqual({ ok: true, value: { ok: 1 } });
  });
});
