/**
 * A guest hands the host a list of bytes by pointer and length into its own memory. One that points
 * past its memory (by mistake or to probe what lies beyond) must trap: the client gets a clean 500
 * with nothing of the guest's in it, and the actor serves the next request. jco's own lift cut such
 * a range short and went on with whatever bytes it had; the bindings edit
 * `byte-lists-copied-through-a-view` makes it trap, as the canonical ABI says.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../claims/index.ts';
import { defaultPolicy, Host } from '../../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../../providers/http-server/index.ts';
import { helloWatVariant } from '../fixtures/http-wat-actors.ts';

const keys = { issuer: generateKeyPair('account'), subject: generateKeyPair('component') };
let work: string;
let host: Host;
let url: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-list-bounds-'));
  host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([keys.issuer.publicKey]), logger: pino({ level: 'silent' }) });
  const http = httpServerProvider();
  await host.startProvider(http);
  // Before its own body write, the guest writes 100 bytes from 6 bytes short of the end of its one page of memory.
  const beyond = { imports: '', code: '(call $stream.write (local.get $stream) (i32.const 65530) (i32.const 100) (global.get $ret))', before: '(call $stream.write (local.get $stream)' };
  const actor = await host.startActor(await helloWatVariant(work, 'beyond', beyond, keys));
  await host.putLink({ source: actor.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
  url = `http://${http.addresses()[0]!.address}/`;
}, 60_000);

afterAll(async () => {
  await host?.shutdown();
  await rm(work, { recursive: true, force: true });
});

describe('a guest that passes a list of bytes reaching past its memory', () => {
  it('traps: the client gets a clean 500, and the actor answers the next request the same way', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await fetch(url);
      expect(response.status).toBe(500);
      expect(await response.text()).toBe('500 internal server error\n');
    }
  });
});
