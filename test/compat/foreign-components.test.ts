/**
 * Components built elsewhere run unchanged: each fixture imports exactly what a Rust std, .NET,
 * TinyGo or wasmCloud component imports, at the versions (mixed) they import them, and answers
 * real HTTP clients with what it saw of the host: an empty filesystem, an environment from its
 * config, no terminal, sockets that refuse, outgoing HTTP that is denied.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, signArtifact } from '../../claims/index.ts';
import { defaultPolicy, Host, type ActorSummary } from '../../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerDescriptor, httpServerProvider } from '../../providers/http-server/index.ts';
import { keyValueDescriptor, keyValueProvider } from '../../providers/keyvalue/index.ts';
import {
  blobstoreComponent,
  dotnetComponent,
  instantiationTrapComponent,
  rustStdComponent,
  tinyGoComponent,
  unservedImportComponent,
  wasmCloudComponent,
} from '../fixtures/compat-components.ts';
import { exitingComponent } from '../fixtures/wat-components.ts';

const run = promisify(execFile);
const issuer = generateKeyPair('account');
const KEYVALUE = ['wasi:keyvalue/store', 'wasi:keyvalue/atomics', 'wasi:keyvalue/batch'];
let work: string;
let host: Host;
let http: ReturnType<typeof httpServerProvider>;
let store: ReturnType<typeof keyValueProvider>;
const logLines: Record<string, unknown>[] = [];

async function signed(name: string, bytes: Uint8Array, caps: string[] = [HTTP_INCOMING_HANDLER]): Promise<string> {
  const artifact = await signArtifact(bytes, { issuer, subject: generateKeyPair('component'), issuedAt: Math.floor(Date.now() / 1000) - 60, claims: { name, caps } });
  const path = join(work, `${name}.wasm`);
  await writeFile(path, artifact.bytes);
  return path;
}

/** Starts an actor with two config entries (its environment) and serves it on a free loopback port. */
async function served(actor: ActorSummary): Promise<string> {
  await host.putLink({ source: actor.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
  return `http://${http.addresses().find((address) => address.actor === actor.id)!.address}/`;
}

const CONFIG = { GREETING: 'hello', MODE: 'compat' };
const linesOf = (actor: ActorSummary) => logLines.filter((line) => line.actor === actor.id);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-compat-'));
  const logs = new Writable({
    write(chunk, _encoding, next) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      next();
    },
  });
  host = new Host({
    cacheDir: join(work, 'cache'),
    policy: defaultPolicy([issuer.publicKey]),
    logger: pino({ level: 'info' }, logs),
    providers: [httpServerDescriptor, keyValueDescriptor],
  });
  http = httpServerProvider();
  store = keyValueProvider();
  await host.startProvider(http);
  await host.startProvider(store);
}, 60_000);

afterAll(async () => {
  await host?.shutdown();
});

describe.each([
  ['Rust std (wasi:http@0.2.0 with wasi:io@0.2.1, wasi:cli@0.2.3, wasi:random@0.2.4)', 'rust-std', rustStdComponent, 'rust-std preopens=0 env=2 terminal=0 clock=1\n'],
  ['.NET (the std set and all of wasi:sockets@0.2.0)', 'dotnet', dotnetComponent, 'dotnet preopens=0 env=2 terminal=0 clock=1 tcp=1 udp=1 dns=1\n'],
  ['TinyGo (the std set, exporting wasi:cli/run too)', 'tinygo', tinyGoComponent, 'tinygo preopens=0 env=2 terminal=0 clock=1\n'],
])('a component with the imports of %s', (_label, name, make, expected) => {
  let actor: ActorSummary;
  let url: string;

  beforeAll(async () => {
    actor = await host.startActor(await signed(name, await make()), { config: CONFIG });
    url = await served(actor);
  }, 60_000);

  it('starts, and answers fetch and curl with an empty filesystem, its config as environment, no terminal and denied sockets', async () => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(expected);
    const { stdout } = await run('curl', ['-sS', '--max-time', '10', url]).catch((error: Error) => {
      throw new Error(`curl failed (install it with apt-get install -y curl): ${error.message}`);
    });
    expect(stdout).toBe(expected);
  });

  it('logs through wasi:logging, stdout and stderr as structured lines under its id', async () => {
    await fetch(url).then((response) => response.text());
    const lines = linesOf(actor);
    expect(lines).toContainEqual(expect.objectContaining({ context: name, msg: `${name} handles a request`, level: 30 }));
    expect(lines).toContainEqual(expect.objectContaining({ stream: 'stdout', msg: `${name} writes to stdout` }));
    expect(lines).toContainEqual(expect.objectContaining({ stream: 'stderr', msg: `${name} writes to stderr` }));
  });
});

describe('a component with the imports of a TinyGo command', () => {
  it('runs its wasi:cli/run export when called by its qualified name', async () => {
    const actor = await host.startActor(await signed('tinygo-run', await tinyGoComponent()));
    expect(await host.invoke(actor.id, { kind: 'call', name: 'wasi:cli/run@0.2.0.run', args: [] })).toEqual({ ok: true, value: { ok: undefined } });
  });
});

describe('a component with the imports of a wasmCloud component (key-value, logging, config and bus drafts, outgoing HTTP)', () => {
  it('counts in the linked key-value store, reads its config by both names, and is denied outgoing HTTP', async () => {
    const actor = await host.startActor(await signed('wasmcloud', await wasmCloudComponent(), [HTTP_INCOMING_HANDLER, ...KEYVALUE]), { config: CONFIG });
    for (const iface of KEYVALUE) await host.putLink({ source: actor.id, interface: iface, target: store.id });
    const url = await served(actor);
    expect(await (await fetch(url)).text()).toBe('wasmcloud count=1 config=2 runtime=2 bus=1 outgoing=D\n');
    expect(await (await fetch(url)).text()).toBe('wasmcloud count=2 config=2 runtime=2 bus=1 outgoing=D\n');
  });
});

describe('imports nothing serves', () => {
  it('refuses at start a component importing wasi:foo/bar@0.1.0, naming it and what would serve it', async () => {
    await expect(host.startActor(await signed('unserved', await unservedImportComponent()))).rejects.toMatchObject({
      code: 'ACTOR_IMPORT_UNSATISFIED',
      message: expect.stringMatching(/^wasi:foo\/bar@0\.1\.0: no provider or host interface serves it: .*--cap wasi:foo\/bar/),
    });
  });

  it('refuses at start wasi:blobstore, even claimed: its resources cannot cross a link, and no provider serves it', async () => {
    await expect(host.startActor(await signed('blobstore', await blobstoreComponent(), [HTTP_INCOMING_HANDLER, 'wasi:blobstore/container']))).rejects.toMatchObject({
      code: 'ACTOR_IMPORT_UNSATISFIED',
      message: expect.stringMatching(/wasi:blobstore\/container@0\.2\.0-draft: it has resources \(Container\)/),
    });
  });

  it('prints the same report for a file with claims inspect --imports, and exits 1', async () => {
    const file = await signed('unserved-inspected', await unservedImportComponent());
    const cli = join(import.meta.dirname, '..', '..', 'bin', 'badger.js');
    const outcome = await run(process.execPath, [cli, 'claims', 'inspect', '--imports', file], { env: { ...process.env, BADGER_HOME: join(work, 'home') } }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/^wasi:foo\/bar@0\.1\.0 +NOTHING: no provider or host interface serves it/m);
    expect(outcome.stdout).toMatch(/^wasi:cli\/stdout@0\.2\.0 +the host$/m);
    expect(outcome.stdout).toContain('start actor would refuse it: ACTOR_IMPORT_UNSATISFIED');
  });
});

describe('a guest that calls wasi:cli/exit', () => {
  it('ends the invocation with ACTOR_EXITED and its code, logged, and the next call gets a fresh instance', async () => {
    const actor = await host.startActor(await signed('exiter', await exitingComponent(), []));
    expect(await host.invoke(actor.id, { kind: 'call', name: 'run', args: [0] })).toEqual({ ok: false, code: 'ACTOR_EXITED', message: 'the actor called exit with code 1' });
    expect(await host.invoke(actor.id, { kind: 'call', name: 'run', args: [5] })).toEqual({ ok: false, code: 'ACTOR_EXITED', message: 'the actor called exit with code 0' });
    expect(linesOf(actor)).toContainEqual(expect.objectContaining({ code: 'ACTOR_EXITED', msg: 'the actor called exit with code 1' }));
  });
});

describe('a guest that traps while it instantiates', () => {
  it('gets a clean 500 over HTTP and one JSON log line per request, never a raw line', async () => {
    const actor = await host.startActor(await signed('broken', await instantiationTrapComponent()));
    const url = await served(actor);
    const before = linesOf(actor).length;
    const response = await fetch(url);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('500 internal server error\n');
    // Access lines are flushed in batches: wait (bounded) for this request's.
    for (let i = 0; i < 100 && linesOf(actor).length === before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = linesOf(actor).slice(before);
    expect(lines).toEqual([expect.objectContaining({ msg: 'http request', status: 500, reason: expect.stringMatching(/out of bounds/) })]);
    expect(logLines.some((line) => String(line.msg).includes('ERROR:'))).toBe(false);
  });
});
