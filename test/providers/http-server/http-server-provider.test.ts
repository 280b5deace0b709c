import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken, type KeyPair } from '../../../claims/index.ts';
import { defaultPolicy, Host, type ActorSummary } from '../../../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../../../providers/http-server/index.ts';
import { keyValueProvider } from '../../../providers/keyvalue/index.ts';
import { builtActor } from '../../actors/built-actors.ts';
import { helloWatVariant, PROLOGUES } from '../../fixtures/http-wat-actors.ts';

let work: string;
let host: Host;
let http: ReturnType<typeof httpServerProvider>;
const logLines: Record<string, unknown>[] = [];
const actors: Record<string, ActorSummary> = {};
const urls: Record<string, string> = {};
const fixtureKeys: { issuer: KeyPair; subject: KeyPair } = { issuer: generateKeyPair('account'), subject: generateKeyPair('component') };

async function serve(name: string, path: string, options: Parameters<Host['startActor']>[1] = {}, config: Record<string, string> = {}): Promise<void> {
  const actor = await host.startActor(path, options);
  actors[name] = actor;
  await listen(name, actor, 'default', config);
}

async function listen(name: string, actor: ActorSummary, link: string, config: Record<string, string> = {}): Promise<void> {
  await host.putLink({ source: actor.id, interface: HTTP_INCOMING_HANDLER, name: link, target: http.id, config: { address: '127.0.0.1:0', ...config } });
  urls[name] = `http://${http.addresses().find((served) => served.actor === actor.id && served.link === link)!.address}`;
}

/** A GET on a connection of its own (no keep-alive pool): the body. */
function getOnNewConnection(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

/** Polls (bounded) until `check` holds, so a test waits for sockets to close without timing them. */
async function eventually(check: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the condition never held');
}

/**
 * The actor's counts once its sockets have closed. Only counts: the young generation's size moves
 * with garbage collection, which a test cannot wait for.
 */
async function settled(name: string): Promise<{ workers: number; instances: number; openSockets: number; inFlight: number }> {
  await eventually(async () => {
    const stats = await host.actorStats(actors[name]!.id);
    return stats.openSockets === 0 && stats.inFlight === 0;
  });
  const { workers, instances, openSockets, inFlight } = await host.actorStats(actors[name]!.id);
  return { workers, instances, openSockets, inFlight };
}

/** Writes raw bytes on a fresh connection and returns whatever comes back before it closes (or `waitMs`). */
function rawExchange(url: string, chunks: (string | Buffer)[], options: { waitMs?: number; destroyAfterWrite?: boolean } = {}): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    const done = () => {
      socket.destroy();
      resolve(received);
    };
    socket.on('data', (data) => (received += data.toString('latin1')));
    socket.on('close', done);
    socket.on('error', done);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (options.destroyAfterWrite) setTimeout(done, 20);
    });
    setTimeout(done, options.waitMs ?? 3000).unref();
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-http-'));
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('hello')))!).iss;

  const logs = new Writable({
    write(chunk, _encoding, next) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      next();
    },
  });
  host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer, fixtureKeys.issuer.publicKey]), logger: pino({ level: 'info' }, logs) });
  http = httpServerProvider();
  const store = keyValueProvider();
  await host.startProvider(http);
  await host.startProvider(store);
  await serve('hello', builtActor('hello'), { maxInstances: 2 });
  await serve('echo', builtActor('echo'), {}, { 'max-body-bytes': String(8 * 1024 * 1024) });
  await serve('counter', builtActor('counter'));
  for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) await host.putLink({ source: actors.counter!.id, interface: iface, target: store.id });
  const fixture = (name: string, prologue: { imports: string; code: string; before?: string }, world?: string) =>
    helloWatVariant(work, name, prologue, { ...fixtureKeys, subject: generateKeyPair('component') }, world);
  await serve('proxy', await fixture('proxy', PROLOGUES.print, 'wasi:http/proxy'));
  await serve('trap', await fixture('trapper', PROLOGUES.trap));
  await serve('trapLate', await fixture('late-trapper', PROLOGUES.trapAfterHead));
  await serve('sleepy', await fixture('sleepy', PROLOGUES.sleep(400)), { maxInstances: 1, queueLimit: 0 });
  await serve('late', await fixture('late', PROLOGUES.sleep(5000)), { deadlineMs: 300 });
  await serve('spin', await fixture('spinner', PROLOGUES.spin), { deadlineMs: 300 });
  // A second link to the same actor: a second address, with limits of its own.
  actors.small = actors.echo!;
  await listen('small', actors.echo!, 'small', { 'max-body-bytes': '1024', 'max-header-bytes': '2048', 'headers-timeout-ms': '500' });
}, 120_000);

afterAll(async () => {
  await host?.shutdown();
});

describe('the HTTP server provider', () => {
  it('serves hello over keep-alive connections, from one reused instance per worker', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const reused: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const body = await new Promise<string>((resolve, reject) => {
        const request = httpRequest(`${urls.hello}/echo?msg=${encodeURIComponent('<b>hi</b>')}`, { agent }, (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve(text));
        });
        request.on('error', reject);
        request.end();
        reused.push(request.reusedSocket);
      });
      expect(body).toBe('<!doctype html>\n<p>&lt;b&gt;hi&lt;/b&gt;</p>\n');
    }
    agent.destroy();
    expect(reused).toEqual([false, true, true]);
    const root = await fetch(`${urls.hello}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await root.text()).toBe('Hello from awesome-badger!\n');
    expect((await fetch(`${urls.hello}/`, { method: 'POST' })).status).toBe(405);
  });

  it('runs counter, a fetch-event actor with a key-value store, unchanged', async () => {
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(((await (await fetch(`${urls.counter}/visits`)).json()) as { count: number }).count);
    expect(counts).toEqual([1, 2, 3]);
  });

  it('streams a 5 MiB upload through echo and back, byte for byte', async () => {
    const upload = randomBytes(5 * 1024 * 1024);
    // Sent in 64 KiB pieces as a stream, so neither side can see it whole before it starts.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < upload.length; at += 65536) controller.enqueue(upload.subarray(at, at + 65536));
        controller.close();
      },
    });
    const response = await fetch(`${urls.echo}/`, { method: 'PUT', body, duplex: 'half', headers: { 'content-type': 'application/x-test' } } as RequestInit);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-test');
    const echoed = Buffer.from(await response.arrayBuffer());
    expect(echoed.length).toBe(upload.length);
    expect(createHash('sha256').update(echoed).digest('hex')).toBe(createHash('sha256').update(upload).digest('hex'));
  });

  it('echoes through curl as well', async () => {
    const payload = join(work, 'payload.bin');
    await writeFile(payload, randomBytes(300_000));
    const run = await promisify(execFile)('curl', ['-sS', '--data-binary', `@${payload}`, `${urls.echo}/`], { encoding: 'buffer', maxBuffer: 4 * 1024 * 1024 }).catch((error: Error) => {
      throw new Error(`curl failed (${error.message}); install it with: sudo apt-get install -y curl`);
    });
    expect(createHash('sha256').update(run.stdout).digest('hex')).toBe(createHash('sha256').update(await readFile(payload)).digest('hex'));
  });

  it('runs a component built for the standard wasi:http/proxy world, its stdout going to the log', async () => {
    expect(await (await fetch(`${urls.proxy}/`)).text()).toBe('Hello from awesome-badger!\n');
    await eventually(async () => logLines.some((line) => line.actor === actors.proxy!.id && line.stream === 'stdout' && line.msg === 'Hello from awesome-badger!'));
  });

  it('answers 500 when the actor traps, and says nothing of why', async () => {
    const response = await fetch(`${urls.trap}/`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toBe('500 internal server error\n');
    expect(text).not.toMatch(/wasm|trap|unreachable/i);
    // The reason is in the host's log instead.
    await eventually(async () => logLines.some((line) => line.actor === actors.trap!.id && line.status === 500 && /ACTOR_TRAPPED/.test(String(line.reason))));
    expect((await fetch(`${urls.trap}/`)).status).toBe(500);
    // Its head set but nothing sent yet: the actor's 200 never reaches the client.
    const late = await fetch(`${urls.trapLate}/`);
    expect(late.status).toBe(500);
    expect(await late.text()).toBe('500 internal server error\n');
  });

  it('answers 503 when the only instance is busy and no queue is allowed', async () => {
    const [first, second] = await Promise.all([fetch(`${urls.sleepy}/`), new Promise((resolve) => setTimeout(resolve, 100)).then(() => fetch(`${urls.sleepy}/`))]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await fetch(`${urls.sleepy}/`)).status).toBe(200);
  });

  it('answers 504 past the deadline, and the next request gets a fresh instance', async () => {
    const response = await fetch(`${urls.late}/`);
    expect(response.status).toBe(504);
    expect(await response.text()).toBe('504 gateway timeout\n');
    const stats = await settled('late');
    expect(stats.instances).toBeLessThanOrEqual(1);
  });

  it('ends a worker stuck in a loop at the deadline, and serves on with a new one', async () => {
    // The thread cannot answer while it loops: its connection is closed instead.
    await expect(fetch(`${urls.spin}/`)).rejects.toThrow();
    await eventually(async () => (await host.actorStats(actors.spin!.id)).workers === 1);
    await eventually(async () => logLines.some((line) => line.actor === actors.spin!.id && /without yielding/.test(String(line.msg))));
  });

  it('answers 413 over the body limit, declared or streamed, and 431 for an oversized head', async () => {
    expect((await fetch(`${urls.small}/`, { method: 'POST', body: 'x'.repeat(2000) })).status).toBe(413);
    const growing = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(600));
        controller.close();
      },
    });
    // echo sends its head before it reads: a body that grows over the limit later can only be cut
    // off, so the client sees 413 or a response that never completes, never a whole one.
    const streamed = await fetch(`${urls.small}/`, { method: 'POST', body: growing, duplex: 'half' } as RequestInit).then(
      async (response) => (response.status === 413 ? 'refused' : await response.arrayBuffer().then(() => `complete ${response.status}`, () => 'refused')),
      () => 'refused',
    );
    expect(streamed).toBe('refused');
    expect((await fetch(`${urls.small}/`, { headers: { 'x-padding': 'y'.repeat(4000) } })).status).toBe(431);
    expect((await fetch(`${urls.small}/`, { method: 'POST', body: 'fits' })).status).toBe(200);
  });

  it('answers malformed requests with 400 and closes slow heads, and keeps serving', async () => {
    expect(await rawExchange(urls.small!, ['NOT HTTP AT ALL\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400/);
    const slow = await rawExchange(urls.small!, ['GET / HTTP/1.1\r\nHost: x\r\n'], { waitMs: 5000 });
    expect(slow === '' || /^HTTP\/1\.1 408/.test(slow)).toBe(true);
    expect(await (await fetch(`${urls.small}/`, { method: 'POST', body: 'still here' })).text()).toBe('still here');
  });

  it('survives a client that goes away mid-body, and its sockets and instances return to baseline', async () => {
    const before = await settled('echo');
    const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 * 1024}\r\n\r\n`;
    for (let i = 0; i < 5; i++) await rawExchange(urls.echo!, [head, Buffer.alloc(100_000)], { destroyAfterWrite: true });
    expect(await (await fetch(`${urls.echo}/`, { method: 'POST', body: 'after' })).text()).toBe('after');
    const after = await settled('echo');
    expect(after).toEqual(before);
  });

  it('writes an access log line for each request', async () => {
    await fetch(`${urls.hello}/missing`);
    await eventually(async () => logLines.some((line) => line.msg === 'http request' && line.path === '/missing' && line.status === 404 && line.method === 'GET'));
  });

  it('logs, for an actor whose log level is warn, each request the host answered and no other', async () => {
    await serve('quiet', builtActor('hello-wat'), { logLevel: 'warn' }, { 'max-body-bytes': '4' });
    // Stopped after, whatever happens: another test starts hello-wat of its own.
    try {
      const quietLines = () => logLines.filter((line) => line.actor === actors.quiet!.id && line.msg === 'http request');
      expect((await fetch(`${urls.quiet}/served`)).status).toBe(200);
      expect((await fetch(`${urls.quiet}/refused`, { method: 'POST', body: 'over four bytes' })).status).toBe(413);
      await eventually(async () => quietLines().length > 0);
      // Lines go in batches, in order: the 200's would have come with or before the 413's.
      expect(quietLines()).toEqual([expect.objectContaining({ path: '/refused', status: 413, reason: expect.stringMatching(/over the limit/) })]);
    } finally {
      await host.stopActor(actors.quiet!.id);
    }
  });

  it('refuses an address another program holds, and stops listening on link del after in-flight requests finish', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const extra = await host.startActor(builtActor('hello-wat'));
    await expect(host.putLink({ source: extra.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: `127.0.0.1:${taken}` } })).rejects.toMatchObject({
      code: 'HTTP_ADDRESS_IN_USE',
    });
    expect(host.links.query({ source: extra.id })).toEqual([]);
    blocker.close();
    await expect(host.putLink({ source: extra.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: 'nowhere' } })).rejects.toMatchObject({
      code: 'HTTP_BAD_LINK_CONFIG',
    });

    const inFlight = fetch(`${urls.sleepy}/`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await host.deleteLink(actors.sleepy!.id, HTTP_INCOMING_HANDLER);
    expect((await inFlight).status).toBe(200);
    await expect(fetch(`${urls.sleepy}/`)).rejects.toThrow();
  });

  it('swaps an actor for its next version without a gap: a request in flight finishes on the old one, the address stays', async () => {
    const keys = { ...fixtureKeys, subject: generateKeyPair('component') };
    const first = await helloWatVariant(join(work, 'v1'), 'swapped', PROLOGUES.sleep(600), keys);
    const second = await helloWatVariant(join(work, 'v2'), 'swapped', { imports: '', code: '' }, keys, 'http-actor', 'Hello from version two!!!!');
    await serve('swapped', first);
    const address = http.addresses().find((served) => served.actor === actors.swapped!.id)!.address;

    const inFlight = fetch(`${urls.swapped}/`).then((response) => response.text());
    await new Promise((resolve) => setTimeout(resolve, 100));
    let swapping = true;
    const updated = host.updateActor(second).finally(() => (swapping = false));
    // Asked all through the swap, reusing keep-alive connections as clients do: each request is
    // answered, by one version or the other; none is refused or reset.
    const answers: string[] = [];
    while (swapping && answers.length < 200) {
      const response = await fetch(`${urls.swapped}/`);
      expect(response.status).toBe(200);
      answers.push(await response.text());
    }
    expect((await updated).id).toBe(actors.swapped!.id);
    expect(await inFlight).toBe('Hello from awesome-badger!\n');
    expect(answers.every((answer) => answer === 'Hello from awesome-badger!\n' || answer === 'Hello from version two!!!!\n')).toBe(true);
    // A connection the old version still holds gets at most one more answer from it, which closes
    // the connection; a new connection gets the new version.
    const reused = await fetch(`${urls.swapped}/`);
    if ((await reused.text()) !== 'Hello from version two!!!!\n') expect(reused.headers.get('connection')).toBe('close');
    expect(await getOnNewConnection(`${urls.swapped}/`)).toBe('Hello from version two!!!!\n');
    expect(http.addresses().filter((served) => served.actor === actors.swapped!.id).map((served) => served.address)).toEqual([address]);
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'actor updated', actor: actors.swapped!.id }));
  });

  it('keeps the old version serving when the next one cannot start, and refuses to update what is not running', async () => {
    const keys = { ...fixtureKeys, subject: generateKeyPair('component') };
    await serve('kept', await helloWatVariant(join(work, 'kept'), 'kept', { imports: '', code: '' }, keys));
    // The same component key, signed by an account the policy does not trust.
    const untrusted = await helloWatVariant(join(work, 'kept-next'), 'kept', { imports: '', code: '' }, { ...keys, issuer: generateKeyPair('account') }, 'http-actor', 'Hello from version two!!!!');
    await expect(host.updateActor(untrusted)).rejects.toMatchObject({ code: 'POLICY_ISSUER_DENIED' });
    expect(await (await fetch(`${urls.kept}/`)).text()).toBe('Hello from awesome-badger!\n');
    const stranger = await helloWatVariant(join(work, 'stranger'), 'stranger', { imports: '', code: '' }, { ...fixtureKeys, subject: generateKeyPair('component') });
    await expect(host.updateActor(stranger)).rejects.toMatchObject({ code: 'ACTOR_NOT_FOUND' });
  });
});
