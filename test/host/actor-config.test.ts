import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { defaultPolicy, Host } from '../../host/index.ts';
import { runCli } from '../cli/run-cli.ts';

let host: Host;
let actorPath: string;

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'badger-config-'));
  const project = join(work, 'config-reader');
  await mkdir(join(project, 'wit'), { recursive: true });
  await mkdir(join(project, 'src'), { recursive: true });
  await writeFile(join(project, 'badger.toml'), 'name = "config-reader"\nlanguage = "typescript"\nworld = "config-reader"\n');
  await writeFile(
    join(project, 'wit', 'world.wit'),
    'package test:config-reader@0.1.0;\n\nworld config-reader {\n  include badger:actors/ambient@0.1.0;\n  export read: func(key: string) -> option<string>;\n}\n',
  );
  await writeFile(join(project, 'src', 'index.ts'), "import { get } from 'wasi:config/store@0.2.0-draft';\n\nexport function read(key: string): string | undefined {\n  return get(key);\n}\n");
  const built = await runCli(['build', project, '--json'], { BADGER_HOME: join(work, 'home') });
  expect(built.stderr).not.toMatch(/error/);
  actorPath = JSON.parse(built.stdout)[0].output;
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(actorPath))!).iss;
  host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
}, 120_000);

afterAll(() => host.shutdown());

describe('wasi:config', () => {
  it('answers the config the actor started with, and the config of links to it as they change', async () => {
    const actor = await host.startActor(actorPath, { config: { greeting: 'hello', route: '/default' } });
    const read = async (key: string) => host.invoke(actor.id, { kind: 'call', name: 'read', args: [key] });
    expect(await read('greeting')).toEqual({ ok: true, value: { ok: 'hello' } });
    expect(await read('missing')).toEqual({ ok: true, value: { ok: undefined } });

    await host.putLink({ source: 'some-caller', interface: 'example:app/api', target: actor.id, config: { route: '/api' } });
    expect(await read('route')).toEqual({ ok: true, value: { ok: '/api' } });
    await host.deleteLink('some-caller', 'example:app/api');
    expect(await read('route')).toEqual({ ok: true, value: { ok: '/default' } });
  });
});
