import { cp, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { badgerHome, type Host } from '../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../providers/http-server/index.ts';
import { keyValueProvider } from '../providers/keyvalue/index.ts';
import { OLED_DISPLAY, oledDisplayProvider } from '../providers/oled-display/index.ts';
import { buildActor, fileStem, loadActorProject, packageRoot } from '../toolchain/index.ts';
import { defaultKeyDirectory, storedOrNewKey } from './key-store.ts';

/** Actors the demo starts, and the port each one asks for. */
const DEMO_ACTORS: Record<string, number> = { hello: 8000, 'hello-wat': 8001, counter: 8002, echo: 8003, 'oled-ticker': 8004 };

/**
 * `badger up --demo`: builds the example actors if needed (cached), starts them with an in-memory
 * key-value store linked to the counter, serves each over HTTP, and returns what to try.
 */
export async function runDemo(host: Host, report: (line: string) => void = () => {}): Promise<string> {
  const examples = join(packageRoot(), 'actors-src');
  const available = new Set(await readdir(examples).catch(() => [] as string[]));
  const store = keyValueProvider({ id: 'keyvalue' });
  await host.startProvider(store);
  const http = httpServerProvider({ id: 'http-server' });
  await host.startProvider(http);
  const oled = oledDisplayProvider({ id: 'oled-display' });
  await host.startProvider(oled);
  const keys = defaultKeyDirectory();
  const issuer = (await storedOrNewKey(keys, 'issuer_account.nk', 'account')).pair;
  const names = Object.keys(DEMO_ACTORS).filter((actor) => available.has(actor));
  const started: string[] = [];
  // Each actor starts as soon as it is built, while the next one builds: the builds share the
  // compiler processes (toolchain/compile.ts), whose first build is the one that pays.
  await inParallel(names, availableParallelism(), async (name) => {
    // Built under BADGER_HOME, so the demo's keys never overwrite the checkout's own builds.
    const copy = join(badgerHome(), 'demo-actors', name);
    await cp(join(examples, name), copy, { recursive: true, filter: (path) => !path.includes(`${name}/build`) });
    const project = await loadActorProject(copy);
    const subject = (await storedOrNewKey(keys, `${fileStem(project.config.name)}_component.nk`, 'component')).pair;
    const began = performance.now();
    report(`demo: building ${name}…`);
    const built = await buildActor(project, { issuer, subject });
    report(`demo: built ${name} in ${((performance.now() - began) / 1000).toFixed(1)} s${built.cached ? ' (unchanged)' : ''}`);
    const actor = await host.startActor(built.output);
    started.push(actor.name);
    if (name === 'counter') {
      for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics', 'wasi:keyvalue/batch']) {
        await host.putLink({ source: actor.id, interface: iface, target: store.id });
      }
      report(`demo: linked counter to the ${store.id} provider (wasi:keyvalue/store, atomics, batch; memory backend)`);
    }
    // On the emulated panel: `badger oled watch` shows it.
    if (name === 'oled-ticker') {
      await host.putLink({ source: actor.id, interface: OLED_DISPLAY, target: oled.id });
      report(`demo: linked oled-ticker to the ${oled.id} provider (${OLED_DISPLAY}; emulated)`);
    }
    await serveOnFreePort(host, http.id, actor.id, DEMO_ACTORS[name]!);
    report(`demo: ${name} serves http://${http.addresses().find((served) => served.actor === actor.id)?.address}/`);
  });
  const url = (name: string) => `http://${http.addresses().find((served) => served.actor === host.actorId(name))?.address}`;
  return [
    `demo: started ${started.join(', ')}, the HTTP server (each actor on its own port), the keyvalue provider (memory backend, linked to counter) and an emulated OLED display (linked to oled-ticker). Try, in another terminal:`,
    `  curl ${url('hello')}/echo?msg=hi`,
    `  curl ${url('hello-wat')}/`,
    `  curl ${url('counter')}/visits   # run it twice`,
    `  curl --data-binary @package.json ${url('echo')}/`,
    `  curl -d 'Hello, Pi' ${url('oled-ticker')}/ && npx badger oled watch   # or: npx badger oled snapshot -o frame.png`,
    '  npx badger get inventory',
    '  npx badger ui   # the dashboard, on http://127.0.0.1:3000',
    '  npx badger down',
  ].join('\n');
}

/** `work` on each item, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Links the actor to the HTTP server on 127.0.0.1:`port`, or on any free port when that one is taken. */
async function serveOnFreePort(host: Host, provider: string, actor: string, port: number): Promise<void> {
  const link = (address: string) => host.putLink({ source: actor, interface: HTTP_INCOMING_HANDLER, target: provider, config: { address } });
  try {
    await link(`127.0.0.1:${port}`);
  } catch (error) {
    if ((error as { code?: string }).code !== 'HTTP_ADDRESS_IN_USE') throw error;
    await link('127.0.0.1:0');
  }
}
