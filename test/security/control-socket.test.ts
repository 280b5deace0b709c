/**
 * The local control socket takes requests from other processes: each is checked against the
 * schema, lines are capped, and another user hears that the host is not theirs. Against a real
 * `badger up` in its own process, through a raw Unix socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { requestLocalHost } from '../../host/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { startCli, stopCli } from '../cli/run-cli.ts';

let home: string;
let host: ChildProcess;
let socketPath: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'badger-socket-'));
  socketPath = join(home, 'host.sock');
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('hello-wat')))!).iss;
  host = await startCli(['up', '--trust', issuer], { BADGER_HOME: home }, 'badger host up');
  const started = await send(JSON.stringify({ op: 'start-actor', location: builtActor('hello-wat') }));
  expect(started).toMatchObject({ ok: true });
}, 60_000);

afterAll(async () => {
  if (host) await stopCli(host);
});

/** Writes `line` and a newline, and reads the one answer line. */
function send(line: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let said = '';
    socket.on('data', (chunk) => {
      said += chunk.toString();
      if (said.includes('\n')) {
        socket.end();
        resolve(JSON.parse(said.slice(0, said.indexOf('\n'))) as Record<string, unknown>);
      }
    });
    socket.on('error', reject);
    socket.write(`${line}\n`);
  });
}

const greets = async () => (await send(JSON.stringify({ op: 'call', actor: 'hello-wat', function: 'wasi:http/incoming-handler.handle', args: [{ path: '/' }] }))).ok;

function residentBytes(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((status) => Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024);
}

describe('the control socket', () => {
  it('answers each malformed request with its code, and the actor keeps serving', async () => {
    expect(await greets()).toBe(true);
    const cases: [string, string][] = [
      ['[1,2,3]', 'CONTROL_MALFORMED'],
      ['{"foo":1}', 'CONTROL_MALFORMED'],
      ['{"op":"rm -rf"}', 'CONTROL_UNKNOWN_OP'],
      ['"ping"', 'CONTROL_MALFORMED'],
      ['not json', 'CONTROL_MALFORMED'],
      ...[-5, 0, '"abc"', 'null', 1.5, 1e9].map((n): [string, string] => [`{"op":"scale-actor","actor":"hello-wat","maxInstances":${n}}`, 'CONTROL_MALFORMED']),
      ['{"op":"scale-actor","actor":"hello-wat"}', 'CONTROL_MALFORMED'],
      ['{"op":"put-link","source":"hello-wat","target":"kv","interface":"wasi:keyvalue/store","config":{"path":5}}', 'CONTROL_MALFORMED'],
      ['{"op":"ping","extra":true}', 'CONTROL_MALFORMED'],
    ];
    for (const [line, code] of cases) {
      const answer = await send(line);
      expect({ line, answer }).toMatchObject({ line, answer: { ok: false, code, message: expect.any(String) } });
    }
    const scaled = await send('{"op":"scale-actor","actor":"hello-wat","maxInstances":0}');
    expect(scaled.message).toMatch(/maxInstances/);
    expect(await greets()).toBe(true);
  });

  it('refuses an over-long line with CONTROL_TOO_LARGE and closes, without its memory growing by more than 16 MB', async () => {
    const before = await residentBytes(host.pid!);
    const answer = await new Promise<{ reply: string; closed: boolean }>((resolve) => {
      const socket = connect(socketPath);
      let reply = '';
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        // 64 MiB with no newline, as fast as the host takes it; it stops taking after 1 MiB.
        while (sent < 64 && socket.write(chunk)) sent++;
        if (sent < 64) socket.once('drain', () => (sent++, pump()));
      };
      socket.on('data', (data) => (reply += data.toString()));
      socket.on('error', () => {});
      socket.on('close', () => resolve({ reply, closed: true }));
      pump();
    });
    expect(answer.closed).toBe(true);
    expect(JSON.parse(answer.reply.split('\n')[0]!)).toMatchObject({ ok: false, code: 'CONTROL_TOO_LARGE' });
    const after = await residentBytes(host.pid!);
    expect(after - before).toBeLessThan(16 * 1024 * 1024);
    expect(await greets()).toBe(true);
  });

  it('tells another user the host is not theirs: HOST_ACCESS_DENIED, not HOST_NOT_RUNNING', async () => {
    if (process.getuid?.() === 0) {
      // Root passes every permission check: ask as nobody, in a process of its own.
      const script = `import { requestLocalHost } from ${JSON.stringify(join(process.cwd(), 'host/control/local-socket.ts'))};
        requestLocalHost(${JSON.stringify(socketPath)}, { op: 'ping' }).then(() => console.log('{"code":"none"}'), (error) => console.log(JSON.stringify({ code: error.code, message: error.message })));`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (err += chunk));
      await new Promise((resolve) => child.on('close', resolve));
      expect({ out, err }).toMatchObject({ out: expect.stringContaining('HOST_ACCESS_DENIED') });
      expect(JSON.parse(out).message).toMatch(/another user/);
    } else {
      await chmod(home, 0o000);
      try {
        await expect(requestLocalHost(socketPath, { op: 'ping' })).rejects.toMatchObject({ code: 'HOST_ACCESS_DENIED' });
      } finally {
        await chmod(home, 0o700);
      }
    }
  });
});
