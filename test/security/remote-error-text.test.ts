/**
 * A host's refusal reaches the CLI user's terminal. On an unlocked lattice anyone can answer a
 * control request, and a rogue answer's reason must not drive the terminal (escape sequences),
 * forge lines (a second `error[…]`) or flood it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteError } from '../../host/index.ts';
import { connectLattice, CONTROL_WIRE_VERSION, controlSubject, type NatsConnection } from '../../host/lattice/index.ts';
import { runCli } from '../cli/run-cli.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';

const LATTICE = 'rogue';
const HOSTILE = `\u001b]0;owned\u0007\u001b[2J\u001b[31mall clear\u001b[0m\nerror[OK]: nothing happened\r\u202eevil${'x'.repeat(100_000)}`;

let nats: RunningNats;
let rogue: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  rogue = await connectLattice(nats.url);
  rogue.subscribe(controlSubject(LATTICE, 'app-list'), {
    callback: (_error, message) =>
      message.respond(JSON.stringify({ version: CONTROL_WIRE_VERSION, host: 'N'.repeat(56), response: { ok: false, code: 'APP_STORE_UNAVAILABLE', message: HOSTILE } })),
  });
  await rogue.flush();
});

afterAll(async () => {
  await rogue?.close();
  await nats?.stop();
});

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe("a rogue host's refusal", () => {
  it('reaches the terminal as one bounded line of printable text, with its code', async () => {
    const run = await runCli(['app', 'list', '--nats', nats.url, '--lattice', LATTICE], { BADGER_HOME: await mkdtemp(join(tmpdir(), 'badger-rogue-')) });
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error\[APP_STORE_UNAVAILABLE\]: /);
    expect(lines[0]).not.toMatch(CONTROL);
    expect(lines[0]!.length).toBeLessThan(2200);
  });

  it('is printable text in --json output too', async () => {
    const run = await runCli(['app', 'list', '--nats', nats.url, '--lattice', LATTICE, '--json'], { BADGER_HOME: await mkdtemp(join(tmpdir(), 'badger-rogue-')) });
    const answer = JSON.parse(run.stdout) as { ok: boolean; code: string; reason: string };
    expect(answer).toMatchObject({ ok: false, code: 'APP_STORE_UNAVAILABLE' });
    expect(answer.reason).not.toMatch(CONTROL);
  });

  it('keeps ordinary text as it was', () => {
    expect(remoteError({ code: 'ACTOR_NOT_FOUND', message: 'no actor "hello" runs here — try badger get inventory' }).message).toBe('no actor "hello" runs here — try badger get inventory');
  });
});
