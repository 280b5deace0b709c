import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.ts';

/**
 * Whatever listens on the control socket answers `badger down`, which then signals the pid it was
 * named (signal 0, to see whether it lives). Signal 0 to 0 asks after the CLI's own process group,
 * and to -1 after every process it may signal: such an answer is refused, not waited on.
 */
describe('badger down, answered by something that is not a host', () => {
  for (const pid of [0, -1, 1.5, '123', null]) {
    it(`refuses the pid ${JSON.stringify(pid)}, and waits on no process`, async () => {
      const home = await mkdtemp(join(tmpdir(), 'badger-down-pid-'));
      const server = createServer((socket) => socket.once('data', () => socket.end(`${JSON.stringify({ ok: true, data: { stopping: true, pid } })}\n`)));
      await new Promise<void>((resolve) => server.listen(join(home, 'host.sock'), resolve));
      try {
        const down = await runCli(['down'], { BADGER_HOME: home });
        expect(down.code).toBe(1);
        // Waited on, such a pid would have ended in "still draining after 30 s" instead.
        expect(down.stderr).toContain(`error[CLI_HOST_STILL_RUNNING]: the host is stopping, but named no process to wait for (${JSON.stringify(pid)})`);
      } finally {
        server.close();
      }
    }, 30_000);
  }
});
