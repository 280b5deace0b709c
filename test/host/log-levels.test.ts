import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, Host, type LogLevel } from '../../host/index.ts';
import { runCli } from '../cli/run-cli.ts';
import { loggingComponent } from '../fixtures/wat-components.ts';

/** What an actor that logs "hello from wat" at info leaves in a host logging at `hostLevel`, started at `actorLevel`. */
async function linesLogged(hostLevel: LogLevel, actorLevel: LogLevel | undefined): Promise<Record<string, unknown>[]> {
  const work = await mkdtemp(join(tmpdir(), 'badger-log-levels-'));
  const path = join(work, 'logger.wasm');
  await writeFile(path, await loggingComponent());
  const lines: Record<string, unknown>[] = [];
  const host = new Host({
    cacheDir: join(work, 'cache'),
    policy: { ...defaultPolicy([]), allowUnsigned: true },
    logger: pino({ level: hostLevel }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
  });
  try {
    const actor = await host.startActor(path, actorLevel ? { logLevel: actorLevel } : {});
    expect(await host.invoke(actor.id, { kind: 'call', name: 'run', args: [1] })).toEqual({ ok: true, value: { ok: 1 } });
  } finally {
    await host.shutdown();
  }
  return lines.filter((line) => line.msg === 'hello from wat');
}

describe('log levels', () => {
  it("keep an actor's lines by its own level when it has one, else by the host's", async () => {
    expect(await linesLogged('info', undefined)).toHaveLength(1);
    expect(await linesLogged('warn', undefined)).toHaveLength(0);
    expect(await linesLogged('warn', 'debug')).toHaveLength(1);
    expect(await linesLogged('info', 'error')).toHaveLength(0);
  });

  it('refuse a level that is not one, naming the ones there are', async () => {
    const run = await runCli(['up', '--log-level', 'loud'], { BADGER_HOME: await mkdtemp(join(tmpdir(), 'badger-log-level-cli-')) });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^error\[CLI_BAD_ARGUMENT\]: --log-level: "loud" is not a log level; one of trace, debug, info, warn, error/m);
  });
});
