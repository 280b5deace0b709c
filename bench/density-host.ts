// The density benchmark's host, in a process of its own so that its RSS is the host's alone:
// `node --expose-gc bench/density-host.ts <component.wasm> <count>`. It measures one bare
// instance of the component, starts a host with the HTTP server provider, then <count> actors
// of that code, each signed with a component key of its own and linked to HTTP on a port of its
// own. It prints `BASELINE {…}`, then `ADDRESSES [...]`; once told `measure` on stdin (every
// address has answered once), `MEASURED {…}`.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken, signArtifact } from '../claims/index.ts';
import { defaultPolicy, Host } from '../host/index.ts';
import { ambientImports, callIncomingHandler, wasiHttpImports, type IncomingHandlerExport } from '../host/wasi/index.ts';
import { transpileCached } from '../host/transpile-cache.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../providers/http-server/index.ts';

const [component, count = '1000'] = process.argv.slice(2);
if (!component || typeof globalThis.gc !== 'function') {
  console.error('usage: node --expose-gc bench/density-host.ts <component.wasm> [count]');
  process.exit(2);
}
const gc = globalThis.gc;
const settledRss = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return process.memoryUsage().rss;
};

const work = await mkdtemp(join(tmpdir(), 'badger-bench-density-'));
const built = new Uint8Array(await readFile(component));
const { wascap } = decodeClaimsToken(readTopLevelToken(built)!);
const issuer = generateKeyPair('account');

/**
 * One bare instance, as jco instantiates it in-process, after it answered one request: its
 * linear memories and tables, seen by catching the core instances jco makes.
 */
async function bareInstanceBytes(): Promise<number> {
  const transpiled = await transpileCached(built, join(work, 'bare-cache'));
  // The lib this project compiles against types WebAssembly's JS API only in part.
  const wasm = WebAssembly as unknown as {
    instantiate: (...args: unknown[]) => Promise<{ instance?: CoreInstance } & CoreInstance>;
    Memory: new (...args: never[]) => { buffer: ArrayBuffer };
    Table: new (...args: never[]) => { length: number };
  };
  type CoreInstance = { exports: Record<string, unknown> };
  const instances: CoreInstance[] = [];
  const original = wasm.instantiate;
  wasm.instantiate = async (...args: unknown[]) => {
    const made = await original(...args);
    instances.push(made.instance ?? made);
    return made;
  };
  try {
    const instance = await transpiled.instantiate({ ...ambientImports(() => {}, () => ({})), ...wasiHttpImports() });
    await callIncomingHandler(instance.incomingHandler as IncomingHandlerExport, { method: 'GET', pathWithQuery: '/', scheme: 'http', authority: 'bench', headers: [], body: new Uint8Array() });
  } finally {
    wasm.instantiate = original;
  }
  let bytes = 0;
  for (const instance of instances) {
    for (const value of Object.values(instance.exports)) {
      if (value instanceof wasm.Memory) bytes += value.buffer.byteLength;
      // A table holds references: a pointer each.
      else if (value instanceof wasm.Table) bytes += value.length * 8;
    }
  }
  return bytes;
}

const bare = await bareInstanceBytes();
const host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer.publicKey]), logger: pino({ level: 'silent' }) });
const http = httpServerProvider();
await host.startProvider(http);
const before = await settledRss();
console.log(`BASELINE ${JSON.stringify({ rss: before, bareInstance: bare })}`);

const began = performance.now();
const addresses: string[] = [];
for (let index = 0; index < Number(count); index++) {
  const signed = await signArtifact(built, {
    issuer,
    subject: generateKeyPair('component'),
    issuedAt: Math.floor(Date.now() / 1000) - 60,
    claims: { name: `${wascap.name}-${index}`, caps: wascap.caps ?? [], tags: wascap.tags ?? [] },
  });
  const path = join(work, `actor-${index}.wasm`);
  await writeFile(path, signed.bytes);
  const actor = await host.startActor(path);
  await host.putLink({ source: actor.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
  addresses.push(http.addresses().find((served) => served.actor === actor.id)!.address);
}
console.log(`ADDRESSES ${JSON.stringify({ addresses, startMs: performance.now() - began })}`);

for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'measure') continue;
  const rss = await settledRss();
  const stats = await Promise.all(host.inventory().actors.map((actor) => host.actorStats(actor.id)));
  console.log(`MEASURED ${JSON.stringify({ rss, instances: stats.reduce((sum, s) => sum + s.instances, 0), threads: host.actorThreads.started })}`);
  break;
}
await host.shutdown();
// A thousand signed copies and their caches: 1.3 GB a run, which filled the disk after a few dozen.
await rm(work, { recursive: true, force: true });
process.exit(0);
