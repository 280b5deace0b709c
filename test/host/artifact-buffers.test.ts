import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { decodeClaimsToken, generateKeyPair, readTopLevelToken, signArtifact } from '../../claims/index.ts';
import { defaultPolicy, Host, readArtifact } from '../../host/index.ts';
import { ArtifactBuffers } from '../../host/artifact-buffers.ts';
import { keyValueProvider } from '../../providers/keyvalue/index.ts';
import { builtActor } from '../actors/built-actors.ts';

describe('ArtifactBuffers', () => {
  it('lends a buffer once at a time, and lends it again once given back', () => {
    const buffers = new ArtifactBuffers();
    const first = buffers.lend(1000);
    const second = buffers.lend(1000);
    expect(second.buffer).not.toBe(first.buffer);
    buffers.release(first);
    expect(buffers.lend(500).buffer).toBe(first.buffer);
  });

  it('ignores an array it did not lend, and a second release of one it did', () => {
    const buffers = new ArtifactBuffers();
    buffers.release(new Uint8Array(10));
    const lent = buffers.lend(10);
    buffers.release(lent);
    buffers.release(lent);
    expect(buffers.pooled.buffers).toBe(1);
  });

  it('keeps no more free bytes than its bound', () => {
    const buffers = new ArtifactBuffers(200 * 1024);
    const lent = [buffers.lend(100 * 1024), buffers.lend(100 * 1024), buffers.lend(100 * 1024)];
    for (const bytes of lent) buffers.release(bytes);
    expect(buffers.pooled.bytes).toBeLessThanOrEqual(200 * 1024);
    expect(buffers.pooled.buffers).toBe(1);
  });

  it('reads a file into a lent buffer, exactly its bytes', async () => {
    const buffers = new ArtifactBuffers();
    const bytes = await readArtifact(builtActor('hello-wat'), undefined, undefined, buffers);
    expect(bytes).toEqual(new Uint8Array(await readFile(builtActor('hello-wat'))));
    expect(bytes.buffer.byteLength).toBeGreaterThanOrEqual(bytes.length);
  });
});

describe('a host reading artifacts into lent buffers', () => {
  it('starts many actors at once (one code under several signatures, transpiled once), each from its own bytes, and again after', async () => {
    const work = await mkdtemp(join(tmpdir(), 'badger-artifact-buffers-'));
    const account = generateKeyPair('account');
    const host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([account.publicKey]), logger: pino({ level: 'silent' }) });
    try {
      await host.startProvider(keyValueProvider());
      const paths: string[] = [];
      for (const [index, name] of ['hello-wat', 'counter', 'hello-wat', 'counter', 'hello-wat'].entries()) {
        const built = new Uint8Array(await readFile(builtActor(name)));
        const { wascap } = decodeClaimsToken(readTopLevelToken(built)!);
        const signed = await signArtifact(built, { issuer: account, subject: generateKeyPair('component'), issuedAt: Math.floor(Date.now() / 1000), claims: { name: `${name}-${index}`, caps: wascap.caps ?? [], tags: wascap.tags ?? [] } });
        paths.push(join(work, `${index}.wasm`));
        await writeFile(paths[index]!, signed.bytes);
      }
      for (let round = 0; round < 2; round++) {
        const started = await Promise.all(paths.map((path) => host.startActor(path)));
        expect(started.map((actor) => actor.name)).toEqual(['hello-wat-0', 'counter-1', 'hello-wat-2', 'counter-3', 'hello-wat-4']);
        for (const actor of started) await host.stopActor(actor.id);
      }
    } finally {
      await host.shutdown();
    }
  });
});
