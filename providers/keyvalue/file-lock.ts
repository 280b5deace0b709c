import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { StoreLockedError } from './errors.ts';

/**
 * Claims a store directory for this process with an exclusive `LOCK` file naming the owner. A lock
 * left by a process of this machine that no longer runs (a `kill -9`) is taken over.
 */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'LOCK');
  const me = `${process.pid}@${hostname()}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, 'wx', 0o600);
      await file.writeFile(me);
      await file.sync();
      await file.close();
      return async () => {
        if ((await readFile(path, 'utf8').catch(() => '')) === me) await unlink(path).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readFile(path, 'utf8').catch(() => '');
      const [pid, host] = owner.split('@');
      if (host === hostname() && pid && !isRunning(Number(pid))) {
        await unlink(path).catch(() => {});
        continue;
      }
      throw new StoreLockedError(`the store ${dir} is in use by process ${owner || '(unknown)'}; two hosts cannot open one file store`);
    }
  }
  throw new StoreLockedError(`cannot lock the store ${dir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
