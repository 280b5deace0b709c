/**
 * A host compares code it verified lately with a new artifact's code, rather than hashing it
 * again. The attack: once the host has started an actor, hand it a copy of that actor's signed
 * file with one byte of code changed (same length, same claims token), hoping the comparison
 * takes the known hash on trust. It must be refused as CLAIMS_HASH_MISMATCH, as without the memo.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { defaultPolicy, Host } from '../../host/index.ts';
import { builtActor } from '../actors/built-actors.ts';

describe('code the host has verified before', () => {
  let host: Host | undefined;
  afterAll(() => host?.shutdown());

  it('is compared byte for byte: a copy with one byte of code changed is refused', async () => {
    const work = await mkdtemp(join(tmpdir(), 'badger-known-code-'));
    const bytes = new Uint8Array(await readFile(builtActor('hello-wat')));
    host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([decodeClaimsToken(readTopLevelToken(bytes)!).iss]), logger: pino({ level: 'silent' }) });
    const actor = await host.startActor(builtActor('hello-wat'));
    await host.stopActor(actor.id);

    const greeting = Buffer.from(bytes).indexOf('Hello from awesome-badger');
    expect(greeting).toBeGreaterThan(0);
    const tampered = bytes.slice();
    tampered[greeting] = 'J'.charCodeAt(0);
    const path = join(work, 'tampered.wasm');
    await writeFile(path, tampered);
    await expect(host.startActor(path)).rejects.toMatchObject({ code: 'CLAIMS_HASH_MISMATCH' });
    // The genuine file still starts: the refused copy took nothing's place.
    expect((await host.startActor(builtActor('hello-wat'))).id).toBe(actor.id);
  });
});
