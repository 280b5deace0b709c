import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { fork } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { connect } from 'nats';
import { Agent } from 'undici';
import { decodeClaimsToken, readTopLevelToken } from '../claims/index.ts';
import { defaultPolicy, type HandledResponse, Host } from '../host/index.ts';
import { blobstoreProvider } from '../providers/blobstore/index.ts';
import { openLatticeMessaging } from '../host/lattice/index.ts';
import { httpClientProvider } from '../providers/http-client/index.ts';
import { messagingProvider } from '../providers/messaging/index.ts';
import { startNatsServer } from '../test/fixtures/nats-server.ts';
import { report } from './report.ts';
import { ratesInTurns } from './turns.ts';

const BLOB_TOOL = fileURLToPath(new URL('../actors-src/blob-tool/build/blob-tool_s.wasm', import.meta.url));
const BLOB_WAT = fileURLToPath(new URL('../actors-src/blob-wat/build/blob-wat_s.wasm', import.meta.url));
const FETCHER = fileURLToPath(new URL('../actors-src/fetcher/build/fetcher_s.wasm', import.meta.url));
const FETCH_WAT = fileURLToPath(new URL('../actors-src/fetch-wat/build/fetch-wat_s.wasm', import.meta.url));
const NATS_ECHO = fileURLToPath(new URL('../actors-src/nats-echo/build/nats-echo_s.wasm', import.meta.url));
const MESSAGE = randomBytes(256);
const OBJECT = randomBytes(64 * 1024);
const OBJECTS = 100;
const SECONDS = 3;
const WARM_UP_MS = 3000;

/**
 * What the file store does for one object, done directly, with the synchronous calls an actor's
 * thread makes: a temporary file, written, synced, renamed, and the directory synced.
 */
function atomicWrite(dir: string, name: string, data: Uint8Array): void {
  const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
  const file = openSync(temp, 'wx', 0o600);
  writeSync(file, data);
  fdatasyncSync(file);
  closeSync(file);
  renameSync(temp, join(dir, name));
  const directory = openSync(dir, 'r');
  fsyncSync(directory);
  closeSync(directory);
}

/**
 * The providers through actors, each against the same operation done directly from Node in the
 * same run:
 * - a 64 KiB blob written (atomic, synced) and read back on the file backend, against `fs` doing
 *   the same with the synchronous calls the actor's thread makes;
 * - a GET of a 1 KiB body from an upstream server in another process, against undici's request on
 *   a kept-alive pool to the same server;
 * - a NATS request answered by nats-echo (the messaging provider's queue subscription, the actor's
 *   handler, its publish to the reply subject), against a nats.js responder in this process doing
 *   the same: a queue subscription that publishes the body back.
 *
 * The blob and HTTP goals are the providers' and the host's, so they are held by actors with no
 * language runtime inside (blob-wat and fetch-wat, WAT by hand). The same operations through the
 * TypeScript actors (blob-tool; fetcher, an HTTP request in and wasi:http out) are timed in the same
 * turns and printed beside them, `-ts-actor`, with no goal: StarlingMonkey's own work in a call is
 * several times a 64 KiB read from the page cache (a blob-tool call that only looks a container up
 * takes 35–90 µs here, the read 11–15 µs), and no provider could make up for it.
 */
export async function providersScenario(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'badger-bench-providers-'));
  // The upstream server is a process of its own, as an API an actor calls is: in this process it
  // would share the host's main thread, which spins while it waits for the actor's answer.
  const upstream = fork(fileURLToPath(new URL('./upstream-http.ts', import.meta.url)));
  const port = await new Promise<number>((resolve, reject) => upstream.once('message', (message) => resolve(message as number)).once('exit', () => reject(new Error('the upstream HTTP server ended before it listened'))));
  const authority = `127.0.0.1:${port}`;
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(BLOB_TOOL))!).iss;
  const host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  const agent = new Agent();
  try {
    const blobs = blobstoreProvider({ fileRoot: join(work, 'default-blobs') });
    const http = httpClientProvider();
    await host.startProvider(blobs);
    await host.startProvider(http);
    const tool = await host.startActor(BLOB_TOOL);
    const watTool = await host.startActor(BLOB_WAT);
    for (const [actor, dir] of [[tool, 'ts-blobs'], [watTool, 'wat-blobs']] as const) {
      for (const iface of ['wasi:blobstore/types', 'wasi:blobstore/container', 'wasi:blobstore/blobstore']) {
        await host.putLink({ source: actor.id, interface: iface, target: blobs.id, config: { backend: 'file', path: join(work, dir) } });
      }
    }
    const fetcher = await host.startActor(FETCHER);
    const watFetcher = await host.startActor(FETCH_WAT);
    for (const actor of [fetcher, watFetcher]) await host.putLink({ source: actor.id, interface: 'wasi:http/outgoing-handler', target: http.id, config: { allowed_hosts: authority } });

    /** Calls an export whose result is a `result`, failing on `err`. */
    const call = async (actor: string, name: string, ...args: unknown[]) => {
      const result = await host.invoke(actor, { kind: 'call', name, args });
      if (!result.ok || 'err' in (result.value as object)) throw new Error(`${name}: ${JSON.stringify(result, (_key, value) => (typeof value === 'bigint' ? String(value) : value))}`);
      return (result.value as { ok: unknown }).ok;
    };
    const direct = join(work, 'direct-blobs');
    await mkdir(direct, { recursive: true });
    for (let i = 0; i < OBJECTS; i++) {
      atomicWrite(direct, `o${i}`, OBJECT);
      await call(tool.id, 'tool.write', 'bench', `o${i}`, OBJECT);
      await call(watTool.id, 'bytes.write', 'bench', `o${i}`, OBJECT);
    }

    const write = await ratesInTurns(
      'providers blob write',
      {
        direct: async (i) => atomicWrite(direct, `o${i % OBJECTS}`, OBJECT),
        wat: (i) => call(watTool.id, 'bytes.write', 'bench', `o${i % OBJECTS}`, OBJECT),
        ts: (i) => call(tool.id, 'tool.write', 'bench', `o${i % OBJECTS}`, OBJECT),
      },
      SECONDS,
      WARM_UP_MS,
    );
    report('providers', 'blob-file-write-64k-ops', write.wat, write.direct, { op: '>=', target: 0.5, on: 'ratio' });
    report('providers', 'blob-file-write-64k-ops-ts-actor', write.ts, write.direct);

    const read = await ratesInTurns(
      'providers blob read',
      {
        direct: async (i) => void readFileSync(join(direct, `o${i % OBJECTS}`)),
        wat: (i) => call(watTool.id, 'bytes.read', 'bench', `o${i % OBJECTS}`),
        ts: (i) => call(tool.id, 'tool.read', 'bench', `o${i % OBJECTS}`),
      },
      SECONDS,
      WARM_UP_MS,
    );
    report('providers', 'blob-file-read-64k-ops', read.wat, read.direct, { op: '>=', target: 0.2, on: 'ratio' });
    report('providers', 'blob-file-read-64k-ops-ts-actor', read.ts, read.direct);

    const url = `http://${authority}/small`;
    const viaFetcher = async () => {
      const result = await host.invoke(fetcher.id, { kind: 'http', request: { method: 'GET', pathWithQuery: `/fetch?url=${encodeURIComponent(url)}`, scheme: 'http', authority: 'bench', headers: [], body: new Uint8Array() } });
      if (!result.ok || (result.value as HandledResponse).status !== 200) throw new Error(`fetcher: ${JSON.stringify(result)}`);
    };
    const viaWat = async () => {
      const fetched = (await call(watFetcher.id, 'fetch.get', authority, '/small')) as { status: number; length: bigint };
      if (fetched.status !== 200 || fetched.length !== 1024n) throw new Error(`fetch-wat: ${fetched.status}, ${fetched.length} bytes`);
    };
    const viaUndici = async () => {
      const response = await agent.request({ origin: `http://${authority}`, path: '/small', method: 'GET' });
      await response.body.arrayBuffer();
    };
    const get = await ratesInTurns('providers http-client get', { direct: viaUndici, wat: viaWat, ts: viaFetcher }, SECONDS, WARM_UP_MS);
    report('providers', 'http-client-get-1k-ops', get.wat, get.direct, { op: '>=', target: 0.3, on: 'ratio' });
    report('providers', 'http-client-get-1k-ops-ts-actor', get.ts, get.direct);

    const nats = await startNatsServer();
    const client = await connect({ servers: nats.url });
    try {
      const messages = messagingProvider({ connect: (url) => openLatticeMessaging(url ?? nats.url) });
      await host.startProvider(messages);
      const echo = await host.startActor(NATS_ECHO);
      await host.putLink({ source: echo.id, interface: 'wasmcloud:messaging/consumer', target: messages.id, config: {} });
      await host.putLink({ source: echo.id, interface: 'wasmcloud:messaging/handler', target: messages.id, config: { subscriptions: 'bench.actor' } });
      const responder = await connect({ servers: nats.url });
      responder.subscribe('bench.direct', { queue: 'bench-direct', callback: (_error, message) => responder.publish(message.reply!, message.data) });
      await responder.flush();
      const ask = (subject: string) => async () => {
        const answer = await client.request(subject, MESSAGE, { timeout: 5000 });
        if (answer.data.length !== MESSAGE.length) throw new Error(`${subject}: ${answer.data.length} bytes back`);
      };
      const request = await ratesInTurns('providers messaging request', { direct: ask('bench.direct'), actor: ask('bench.actor') }, SECONDS, WARM_UP_MS);
      // The goal is on time per request (≤ 3× raw NATS), read here as requests a second (≥ 1/3).
      report('providers', 'messaging-request-reply-ops', request.actor, request.direct, { op: '>=', target: 0.333, on: 'ratio' });
      await responder.close();
      await host.stopProvider(messages.id);
    } finally {
      await client.close();
      await nats.stop();
    }
  } finally {
    await host.shutdown();
    await agent.close();
    upstream.kill();
    await rm(work, { recursive: true, force: true });
  }
}
