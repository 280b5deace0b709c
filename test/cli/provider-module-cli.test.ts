import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const GREETING = fileURLToPath(new URL('../fixtures/providers/greeting/descriptor.ts', import.meta.url));

describe('badger up --provider-module', () => {
  let home: string;
  const badger = (...args: string[]) => runCli(args, { BADGER_HOME: home });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'badger-provider-module-'));
  });

  afterAll(async () => {
    await badger('down');
  });

  it('registers a provider kind of the user\'s own, which the host lists and starts by name', async () => {
    const up = await badger('up', '--detached', '--provider-module', GREETING);
    expect(up.code, up.stderr).toBe(0);
    const kinds = JSON.parse((await badger('provider', 'kinds', '--json')).stdout) as { name: string; interfaces: unknown[] }[];
    expect(kinds.map((kind) => kind.name)).toEqual(['keyvalue', 'blobstore', 'http-server', 'http-client', 'filesystem', 'messaging', 'oled-display', 'greeting']);
    expect(kinds.find((kind) => kind.name === 'greeting')!.interfaces).toEqual([{ name: 'example:greeting/greeter', versions: '0.1.0' }]);
    expect((await badger('provider', 'kinds')).stdout).toContain('greeting: greets by name');
    expect(JSON.parse((await badger('start', 'provider', 'greeting', '--json')).stdout)).toEqual({ id: 'greeting', name: 'greeting (a test fixture)' });
  }, 120_000);

  it('names a module that declares no provider, before any host starts', async () => {
    const refused = await badger('up', '--detached', '--provider-module', fileURLToPath(new URL('./run-cli.ts', import.meta.url)));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^error\[CLI_BAD_ARGUMENT\]: --provider-module .*run-cli\.ts: it exports no provider descriptor/m);
    const missing = await badger('up', '--provider-module', join(home, 'nowhere.ts'));
    expect(missing.stderr).toMatch(/^error\[CLI_BAD_ARGUMENT\]: --provider-module .*nowhere\.ts: cannot load it/m);
  });

  it('refuses to run standalone a provider that works beside its actors, saying where to start it', async () => {
    const refused = await badger('provider', 'run', 'filesystem', '--nats', 'nats://127.0.0.1:1');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^error\[CLI_BAD_ARGUMENT\]: filesystem does not run standalone: it gives an actor a directory of the machine the actor runs on: start it on that host/m);
  });
});
