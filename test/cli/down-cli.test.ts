import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../claims/index.ts';
import { signedComponentFile } from '../fixtures/lattice-host.ts';
import { spinningComponent } from '../fixtures/wat-components.ts';
import { runCli } from './run-cli.ts';

const BIN = fileURLToPath(new URL('../../bin/badger.js', import.meta.url));

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The process's CPU time so far (user and system; Linux counts it in 10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

describe('badger down', () => {
  it('returns once the host has drained and its process has ended, and says which process that was', async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-down-'));
    const up = await runCli(['up', '--detached', '--json'], { BADGER_HOME: home });
    expect(up.code).toBe(0);
    const { pid } = JSON.parse(up.stdout) as { pid: number };
    expect(isRunning(pid)).toBe(true);

    const down = await runCli(['down', '--json'], { BADGER_HOME: home });
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout)).toEqual({ stopped: true, pid });
    expect(isRunning(pid)).toBe(false);
  }, 60_000);

  it('a signal while the host drains a call that does not end stops it at once, and down then returns', async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-down-signal-'));
    const issuer = generateKeyPair('account');
    const spinner = await signedComponentFile(issuer, 'spinner', await spinningComponent());
    // In the foreground, as in a terminal: the test holds the host's process and its output.
    const host = spawn(process.execPath, [BIN, 'up', '--trust', issuer.publicKey], { env: { ...process.env, BADGER_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    host.stderr.on('data', (chunk) => (said += chunk));
    const exited = new Promise<number | null>((resolve) => host.once('exit', (code) => resolve(code)));
    try {
      for (let attempt = 0; attempt < 600 && !said.includes('badger host up'); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(said).toContain('badger host up');
      expect((await runCli(['start', 'actor', spinner, '--deadline-ms', '600000'], { BADGER_HOME: home })).code).toBe(0);
      // A guest that never returns, with a deadline ten minutes away: the drain would wait for it.
      const spinning = runCli(['call', 'spinner', 'spin'], { BADGER_HOME: home });
      // The guest is running once the idle host burns a second of CPU time.
      const idle = cpuMs(host.pid!);
      for (let attempt = 0; attempt < 400 && cpuMs(host.pid!) - idle < 1000; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(cpuMs(host.pid!) - idle).toBeGreaterThanOrEqual(1000);
      const down = runCli(['down'], { BADGER_HOME: home });
      for (let attempt = 0; attempt < 200 && !said.includes('draining actors'); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(said).toContain('draining actors');

      host.kill('SIGTERM');
      expect(await exited).toBe(1);
      expect(said).toContain('SIGTERM while draining; stopping now, without waiting for the actors');
      const stopped = await down;
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toMatch(/^host stopped \(pid \d+\)$/m);
      await spinning;
    } finally {
      host.kill('SIGKILL');
    }
  }, 120_000);
});
