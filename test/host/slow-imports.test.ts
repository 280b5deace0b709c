/**
 * A guest blocked in an import waits for the host, which runs a provider for it: that time is not
 * the guest's. A provider slower than the actor's deadline (a key-value write riding out a NATS
 * server's loss) must not get the actor's thread ended, which would reset every connection the
 * thread serves; the request is answered once the provider is.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { defaultPolicy, Host, serving, type Provider } from '../../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../../providers/http-server/index.ts';
import { keyValueContract, keyValueProvider } from '../../providers/keyvalue/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { freePort } from '../fixtures/nats-server.ts';

const DEADLINE_MS = 500;

/** The memory key-value store, each increment held for `holdMs` before it is made. */
function slowStore(id: string, holdMs: number): Provider & { held: number } {
  const store = keyValueProvider({ id });
  const slow: Provider & { held: number } = {
    id,
    name: 'slow key-value store',
    held: 0,
    serves: [
      serving(keyValueContract, {
        ...store.keyvalue,
        increment: async (...args: Parameters<typeof store.keyvalue.increment>) => {
          await sleep(holdMs);
          slow.held++;
          return store.keyvalue.increment(...args);
        },
      }),
    ],
  };
  return slow;
}

let host: Host | undefined;
afterAll(() => host?.shutdown());

describe('an import slower than the actor\'s deadline', () => {
  it('is waited for: the request is answered, its connection is not reset, and the thread goes on serving', async () => {
    const work = await mkdtemp(join(tmpdir(), 'badger-slow-import-'));
    const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('counter')))!).iss;
    host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
    // Four deadlines: the host's watchdog, looking every quarter of a deadline, would have ended the thread by then.
    const store = slowStore('slow-kv', DEADLINE_MS * 4);
    await host.startProvider(store);
    const http = httpServerProvider({ id: 'web' });
    await host.startProvider(http);
    const counter = await host.startActor(builtActor('counter'), { deadlineMs: DEADLINE_MS });
    for (const iface of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics']) await host.putLink({ source: counter.id, interface: iface, target: store.id });
    const port = await freePort();
    await host.putLink({ source: counter.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: `127.0.0.1:${port}` } });

    for (const expected of [1, 2]) {
      const response = await fetch(`http://127.0.0.1:${port}/slow`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ path: '/slow', count: expected });
    }
    expect(store.held).toBe(2);
    expect((await host.actorStats(counter.id)).instances).toBeGreaterThan(0);
  }, 60_000);
});
