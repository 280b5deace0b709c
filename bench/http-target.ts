// One server for the http benchmark, in a process of its own so that the load generator never
// shares its thread: `plain` (node:http hello world), `in-process <component.wasm>` (node:http
// calling the component in its own thread, its instance reused, through the same request and
// response bridge the host's listening threads use: no host), or `actor <component.wasm>` (a host
// with the HTTP server provider and that actor, scaled to [instances], each a listening thread).
// Prints `LISTENING <url>` once it serves.
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { decodeClaimsToken, readTopLevelToken } from '../claims/index.ts';
import { ambientImports, Capabilities, defaultPolicy, Host, singleRequestInstances, transpileToRun, wasiHttpImports, type IncomingHandlerExport } from '../host/index.ts';
import { guestResponder, incomingRequestParts, mayHaveBody, requestBodySource } from '../host/http-ingress/node-bridge.ts';
import { dispatchIncoming } from '../host/wasi/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../providers/http-server/index.ts';

const [kind, component, instances = '1'] = process.argv.slice(2);
const GREETING = 'Hello from awesome-badger!\n';

// The benchmark ends this process with SIGTERM: what it wrote under the temp dir goes with it.
const scratch: string[] = [];
const scratchDir = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};
process.on('SIGTERM', () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});

if (kind === 'plain') {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(GREETING);
  });
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING http://127.0.0.1:${(server.address() as { port: number }).port}/`));
} else if (kind === 'in-process' && component) {
  const bytes = new Uint8Array(await readFile(component));
  // The bindings the host runs, and an instance reused exactly when the host reuses it.
  const loaded = await transpileToRun(bytes, await scratchDir('badger-bench-http-in-process-'), new Capabilities());
  const freshEachRequest = singleRequestInstances(loaded, decodeClaimsToken(readTopLevelToken(bytes)!).wascap.tags);
  const imports = { ...ambientImports(() => {}, {}), ...wasiHttpImports() };
  let instance = await loaded.instantiate(imports);
  const server = createServer(async (request, response) => {
    if (freshEachRequest) instance = await loaded.instantiate(imports);
    // As a listening thread does (see WorkerListener): the same request parts, body source and responder.
    const body = mayHaveBody(request) ? requestBodySource(request, 1024 * 1024, () => response.destroy()) : undefined;
    const responder = guestResponder(response, () => response.destroy());
    await dispatchIncoming(instance.incomingHandler as IncomingHandlerExport, incomingRequestParts(request, '127.0.0.1', body), responder.onResponse);
    responder.finish();
  });
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING http://127.0.0.1:${(server.address() as { port: number }).port}/`));
} else if (kind === 'actor' && component) {
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(component))!).iss;
  const host = new Host({ cacheDir: await scratchDir('badger-bench-http-'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  const actor = await host.startActor(component, { maxInstances: Number(instances) });
  const http = httpServerProvider();
  await host.startProvider(http);
  await host.putLink({ source: actor.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
  console.log(`LISTENING http://${http.addresses()[0]!.address}/`);
} else {
  console.error('usage: node bench/http-target.ts plain | in-process <component.wasm> | actor <component.wasm> [instances]');
  process.exit(2);
}
