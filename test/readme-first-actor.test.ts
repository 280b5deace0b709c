import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadActor } from './fixtures/instantiate-actor.ts';
import { request } from './actors/http-request.ts';
import { runCli } from './cli/run-cli.ts';
import { freePort } from './fixtures/nats-server.ts';

describe('the README', () => {
  it('"Write your first actor" works as written: config, source, build, inspect, and the actor answers', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Write your first actor'), readme.indexOf('### Capabilities'));
    const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, language, body]) => ({ language, body: body!.replace(/^ {3}/gm, '') }));
    const config = blocks.find((block) => block.language === 'toml')!.body;
    const source = blocks.find((block) => block.language === 'ts')!.body;

    const work = await mkdtemp(join(tmpdir(), 'badger-readme-'));
    const dir = join(work, 'greeter');
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'badger.toml'), config);
    await writeFile(join(dir, 'src', 'index.ts'), source);

    const env = { BADGER_HOME: join(work, 'home') };
    const built = await runCli(['build', dir], env);
    expect(built.stderr).not.toMatch(/error/);
    expect(built.stdout).toMatch(/^greeter: .*greeter_s\.wasm .* caps wasi:http\/incoming-handler/);
    const inspected = JSON.parse((await runCli(['claims', 'inspect', join(dir, 'build', 'greeter_s.wasm'), '--json'], env)).stdout);
    expect(inspected.capabilities.map((cap: { interface: string }) => cap.interface)).toEqual(['wasi:http/incoming-handler']);

    const actor = await loadActor(join(dir, 'build', 'greeter_s.wasm'));
    expect((await request(actor, 'GET', '/?name=Ada')).text).toBe('Hello, Ada!\n');

    // Step 5, its commands run as written, in the folder above greeter/, on a free port instead of 8090.
    const steps = blocks.find((block) => block.language === 'sh')!.body.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);
    const port = String(await freePort());
    try {
      for (const step of steps) {
        const line = step.replaceAll('8090', port);
        if (line.startsWith('curl ')) {
          const url = /'([^']+)'/.exec(line)![1]!;
          expect(await (await fetch(url)).text()).toBe('Hello, Ada!\n');
          continue;
        }
        expect(line.startsWith('npx badger '), line).toBe(true);
        const run = await runCli(line.slice('npx badger '.length).split(/\s+/).map((arg) => (arg.startsWith('greeter/') ? join(work, arg) : arg)), env);
        expect(run.code, `${line}: ${run.stderr}`).toBe(0);
      }
    } finally {
      await runCli(['down'], env);
    }
  }, 120_000);
});
