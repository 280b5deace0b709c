/**
 * The interfaces given without a claim grant nothing: an actor signed with no capability but its
 * HTTP handler lists the preopens, makes TCP and UDP sockets, resolves a name and sends an HTTP
 * request, and is refused each time, while the only listener on loopback sees no connection.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, signArtifact } from '../../claims/index.ts';
import { defaultPolicy, Host } from '../../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../../providers/http-server/index.ts';
import { keyValueDescriptor } from '../../providers/keyvalue/index.ts';
import { dotnetComponent, wasmCloudComponent } from '../fixtures/compat-components.ts';

const issuer = generateKeyPair('account');
let work: string;
let host: Host;
let http: ReturnType<typeof httpServerProvider>;
let listener: Server;
let connections = 0;

async function answerOf(name: string, bytes: Uint8Array, caps: string[]): Promise<string> {
  const path = join(work, `${name}.wasm`);
  await writeFile(path, (await signArtifact(bytes, { issuer, subject: generateKeyPair('component'), issuedAt: Math.floor(Date.now() / 1000) - 60, claims: { name, caps } })).bytes);
  const actor = await host.startActor(path);
  await host.putLink({ source: actor.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
  const response = await fetch(`http://${http.addresses().find((address) => address.actor === actor.id)!.address}/`);
  expect(response.status).toBe(200);
  return response.text();
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-ambient-'));
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer.publicKey]), logger: pino({ level: 'silent' }), providers: [keyValueDescriptor] });
  http = httpServerProvider();
  await host.startProvider(http);
});

afterAll(async () => {
  await host?.shutdown();
  listener?.close();
});

describe('an actor with no claim beyond its HTTP handler', () => {
  it('sees no directory, and can make no TCP or UDP socket and resolve no name (access-denied)', async () => {
    expect(await answerOf('sockets-attacker', await dotnetComponent(), [HTTP_INCOMING_HANDLER])).toMatch(/ preopens=0 .* tcp=1 udp=1 dns=1\n$/);
  });

  it('sends no HTTP request (HTTP-request-denied), and reaches no key-value store it was not linked to', async () => {
    const answer = await answerOf('outgoing-attacker', await wasmCloudComponent(), [HTTP_INCOMING_HANDLER, 'wasi:keyvalue/store', 'wasi:keyvalue/atomics', 'wasi:keyvalue/batch']);
    expect(answer).toMatch(/ count=X .* outgoing=D\n$/);
    expect(connections).toBe(0);
  });
});
