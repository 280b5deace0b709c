import { isAmbientInterface, readArtifact, wasiHttpImports } from '../../host/index.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('outgoing HTTP without a link', () => {
  it('is given, as StarlingMonkey imports it with its HTTP feature, and refuses every request', () => {
    expect(isAmbientInterface('wasi:http/outgoing-handler')).toBe(true);
    expect(() => (wasiHttpImports()['wasi:http/outgoing-handler']!.handle as () => unknown)()).toThrow(
      expect.objectContaining({ payload: { tag: 'HTTP-request-denied' } }) as unknown as Error,
    );
  });
});

describe('artifact sources', () => {
  const payload = new Uint8Array(4096).fill(7);
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/actor.wasm') return void response.end(payload);
      if (request.url === '/unsized.wasm') {
        // No content-length: the limit must hold while streaming.
        response.write(payload);
        return void response.end(payload);
      }
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a file and fetches a URL', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'badger-artifact-')), 'actor.wasm');
    await writeFile(path, payload);
    expect(await readArtifact(path)).toEqual(payload);
    expect(await readArtifact(`${base}/actor.wasm`)).toEqual(payload);
  });

  it('refuses what is over the size limit, by file, by declared length and while streaming', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'badger-artifact-')), 'actor.wasm');
    await writeFile(path, payload);
    await expect(readArtifact(path, 1000)).rejects.toMatchObject({ code: 'ARTIFACT_TOO_LARGE' });
    await expect(readArtifact(`${base}/actor.wasm`, 1000)).rejects.toMatchObject({ code: 'ARTIFACT_TOO_LARGE' });
    await expect(readArtifact(`${base}/unsized.wasm`, 6000)).rejects.toMatchObject({ code: 'ARTIFACT_TOO_LARGE' });
  });

  it('names a missing file and a failed download', async () => {
    await expect(readArtifact('/nonexistent/actor.wasm')).rejects.toMatchObject({ code: 'ARTIFACT_UNREADABLE', message: expect.stringMatching(/no such file/) });
    await expect(readArtifact(`${base}/missing.wasm`)).rejects.toMatchObject({ code: 'ARTIFACT_UNREADABLE', message: expect.stringMatching(/404/) });
  });
});
