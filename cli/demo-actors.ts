import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { badgerHome, type Host } from '../host/index.ts';
import { keyValueProvider } from '../providers/keyvalue/index.ts';
import { buildActor, fileStem, loadActorProject, packageRoot } from '../toolchain/index.ts';
import { defaultKeyDirectory, storedOrNewKey } from './key-store.ts';

/** Actors the demo starts; oled-ticker waits for the display provider. */
const DEMO_ACTORS = ['hello', 'hello-wat', 'counter'];

/**
 * `badger up --demo`: builds the example actors if needed (cached), starts them with an in-memory
 * key-value store linked to the counter, and returns what to try.
 */
export async function runDemo(host: Host): Promise<string> {
  const examples = join(packageRoot(), 'actors-src');
  const available = new Set(await readdir(examples).catch(() => [] as string[]));
  const store = keyValueProvider({ id: 'keyvalue' });
  await host.startProvider(store);
  const keys = defaultKeyDirectory();
  const issuer = (await storedOrNewKey(keys, 'issuer_account.nk', 'account')).pair;
  const started: string[] = [];
  for (const name of DEMO_ACTORS.filter((actor) => available.has(actor))) {
    // Built under BADGER_HOME, so the demo's keys never overwrite the checkout's own builds.
    const copy = join(badgerHome(), 'demo-actors', name);
    await cp(join(examples, name), copy, { recursive: true, filter: (path) => !path.includes(`${name}/build`) });
    const project = await loadActorProject(copy);
    const subject = (await storedOrNewKey(keys, `${fileStem(project.config.name)}_component.nk`, 'component')).pair;
    const built = await buildActor(project, { issuer, subject });
    const actor = await host.startActor(built.output);
    started.push(actor.name);
    if (name === 'counter') {
      for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics', 'wasi:keyvalue/batch']) {
        await host.putLink({ source: actor.id, interface: iface, target: store.id });
      }
    }
  }
  return [
    `demo: started ${started.join(', ')} and the keyvalue provider (memory backend, linked to counter). Try, in another terminal:`,
    `  npx badger call hello wasi:http/incoming-handler.handle '{"path": "/echo?msg=<b>hi</b>"}'`,
    `  npx badger call counter wasi:http/incoming-handler.handle '{"path": "/visits"}'   # run it twice`,
    '  npx badger get inventory',
    '  npx badger down',
  ].join('\n');
}
