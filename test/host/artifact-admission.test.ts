import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, encodeU32, MODULE_HEADER } from '../../claims/index.ts';
import { defaultPolicy, Host, readArtifact } from '../../host/index.ts';

let work: string;
let host: Host;
const servers: Server[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-admission-'));
  host = new Host({ cacheDir: join(work, 'cache'), policy: { ...defaultPolicy([]), allowUnsigned: true }, logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await host.shutdown();
  for (const server of servers) server.close();
});

async function written(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(work, name);
  await writeFile(path, bytes);
  return path;
}

const COMPONENT_HEADER = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00);

/** An empty component wrapped in `depth` nested components, built outside in (no recursion, no quadratic copying). */
function nestedComponent(depth: number): Uint8Array {
  const prefixes: Uint8Array[] = [];
  let size = COMPONENT_HEADER.length;
  for (let level = 0; level < depth; level++) {
    const length = Uint8Array.from(encodeU32(size));
    prefixes.push(concatBytes([COMPONENT_HEADER, Uint8Array.of(4), length]));
    size += COMPONENT_HEADER.length + 1 + length.length;
  }
  return concatBytes([...prefixes.reverse(), COMPONENT_HEADER]);
}

/** A server on loopback that answers each request with `answer`. */
async function serving(answer: (response: import('node:http').ServerResponse) => void): Promise<string> {
  const server = createServer((_request, response) => answer(response));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/actor.wasm`;
}

describe('what a host refuses to admit, and how it says so', () => {
  it('names the depth of a component nested 100,000 deep, with WASM_MALFORMED', async () => {
    const path = await written('deep.wasm', nestedComponent(100_000));
    await expect(host.startActor(path)).rejects.toMatchObject({ code: 'WASM_MALFORMED', message: expect.stringMatching(/nests components 101 deep .*at most 100/) });
  });

  it('runs a component nested a few levels deep, as real ones are', async () => {
    const started = await host.startActor(await written('shallow.wasm', nestedComponent(3)));
    expect(started.id).toMatch(/^unsigned-/);
    await host.stopActor(started.id);
  });

  it('says a core module is not a component, and how to make one', async () => {
    const path = await written('core.wasm', MODULE_HEADER);
    await expect(host.startActor(path)).rejects.toMatchObject({ code: 'ARTIFACT_NOT_A_COMPONENT', message: expect.stringContaining('wasm-tools component new') });
  });
});

describe('fetching an actor from a server that stalls', () => {
  const quick = { headMs: 300, idleMs: 300, totalMs: 1500 };

  it('gives up on a server that never answers, with ARTIFACT_FETCH_TIMEOUT', async () => {
    const url = await serving(() => {});
    await expect(readArtifact(url, 1024, quick)).rejects.toMatchObject({ code: 'ARTIFACT_FETCH_TIMEOUT', message: expect.stringContaining('no response head') });
  });

  it('gives up on a body that stops coming', async () => {
    const url = await serving((response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write(Buffer.alloc(10));
    });
    await expect(readArtifact(url, 1024, quick)).rejects.toMatchObject({ code: 'ARTIFACT_FETCH_TIMEOUT', message: expect.stringContaining('nothing for 300 ms after 10 bytes') });
  });

  it('gives up on a body that trickles in forever', async () => {
    const url = await serving((response) => {
      response.writeHead(200);
      const drip = setInterval(() => response.write(Buffer.alloc(1)), 50);
      response.on('close', () => clearInterval(drip));
    });
    await expect(readArtifact(url, 1024 * 1024, quick)).rejects.toMatchObject({ code: 'ARTIFACT_FETCH_TIMEOUT', message: expect.stringContaining('in all') });
  });
});
