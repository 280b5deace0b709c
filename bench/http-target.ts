// One server for the http benchmark, in a process of its own so that the load generator never
// shares its thread: `plain` (node:http hello world) or `actor <component.wasm>` (a host with
// the HTTP server provider and that actor, scaled to [instances], each a listening thread). Prints
// `LISTENING <url>` once it serves.
import { createServer } from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { decodeClaimsToken, readTopLevelToken } from '../claims/index.ts';
import { defaultPolicy, Host } from '../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../providers/http-server/index.ts';

const [kind, component, instances = '1'] = process.argv.slice(2);
const GREETING = 'Hello from awesome-badger!\n';

if (kind === 'plain') {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(GREETING);
  });
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING http://127.0.0.1:${(server.address() as { port: number }).port}/`));
} else if (kind === 'actor' && component) {
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(component))!).iss;
  const host = new Host({ cacheDir: await mkdtemp(join(tmpdir(), 'badger-bench-http-')), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  const actor = await host.startActor(component, { maxInstances: Number(instances) });
  const http = httpServerProvider();
  await host.startProvider(http);
  await host.putLink({ source: actor.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
  console.log(`LISTENING http://${http.addresses()[0]!.address}/`);
} else {
  console.error('usage: node bench/http-target.ts plain | actor <component.wasm> [instances]');
  process.exit(2);
}
