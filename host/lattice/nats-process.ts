import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LatticeError } from '../errors.ts';

export const NATS_SERVER_MISSING =
  'nats-server is not installed: run "sudo apt-get install -y nats-server" (Debian, Ubuntu, Raspberry Pi OS) or "brew install nats-server" (macOS)';

export interface NatsProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Runs the system's `nats-server` with `config` (the text of a config file, see nats-config.ts)
 * and resolves once it accepts connections on host:port (bounded: about five seconds).
 */
export async function runNatsServer(config: string, host: string, port: number): Promise<NatsProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'badger-nats-'));
  const file = join(dir, 'nats-server.conf');
  await writeFile(file, config);
  return runNatsServerWith(['-c', file], host, port, dir);
}

/**
 * The same, with command-line flags instead of a config file. `scratchDir` (its config, a store)
 * is removed once the server has stopped, or failed to start.
 */
export async function runNatsServerWith(args: string[], host: string, port: number, scratchDir?: string): Promise<NatsProcess> {
  const removeScratch = async () => {
    if (scratchDir !== undefined) await rm(scratchDir, { recursive: true, force: true });
  };
  try {
    return await spawnNatsServer(args, host, port, removeScratch);
  } catch (error) {
    await removeScratch();
    throw error;
  }
}

async function spawnNatsServer(args: string[], host: string, port: number, removeScratch: () => Promise<void>): Promise<NatsProcess> {
  const child: ChildProcess = spawn('nats-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors = `${errors}${chunk}`.slice(-2000)));
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new LatticeError('LATTICE_NATS_SERVER', NATS_SERVER_MISSING) : error));
    child.once('exit', (code) => reject(new LatticeError('LATTICE_NATS_SERVER', `nats-server exited with ${code}: ${errors.trim().split('\n').slice(-3).join(' / ')}`)));
    let attempts = 0;
    const probe = () => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (++attempts > 100) reject(new LatticeError('LATTICE_NATS_SERVER', `nats-server did not listen on ${host}:${port}: ${errors.trim()}`));
        else setTimeout(probe, 50);
      });
    };
    probe();
  });
  child.removeAllListeners('exit');
  return {
    url: `nats://${host}:${port}`,
    pid: child.pid!,
    async stop() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      await removeScratch();
    },
  };
}
