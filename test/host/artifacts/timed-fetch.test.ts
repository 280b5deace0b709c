import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FETCH_TIMEOUTS, timedFetch } from '../../../host/artifacts/timed-fetch.ts';

const bytes = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * seed) % 251);
const DECLARED = bytes(300_000, 7);
const UNDECLARED = bytes(300_000, 11);

let server: Server;
let base: string;
let connections = 0;
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/declared') {
      response.writeHead(200, { 'content-length': DECLARED.length });
      response.end(DECLARED);
      return;
    }
    // Chunked, in uneven pieces, with no length: the reader must grow its buffer as they come.
    response.writeHead(200);
    for (let at = 0; at < UNDECLARED.length; at += 70_001) response.write(UNDECLARED.subarray(at, at + 70_001));
    response.end();
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('a timed fetch', () => {
  it('reads a body of a declared length, and one sent in pieces with none, byte for byte', async () => {
    const declared = await (await timedFetch(`${base}/declared`, {}, DEFAULT_FETCH_TIMEOUTS, 'declared')).body(1 << 20, 'declared');
    expect(Buffer.from(declared).equals(DECLARED)).toBe(true);
    const progress: number[] = [];
    const undeclared = await (await timedFetch(`${base}/undeclared`, {}, DEFAULT_FETCH_TIMEOUTS, 'undeclared')).body(1 << 20, 'undeclared', (received) => progress.push(received));
    expect(Buffer.from(undeclared).equals(UNDECLARED)).toBe(true);
    expect(progress.at(-1)).toBe(UNDECLARED.length);
  });

  it('refuses a body with no length as soon as it passes the limit', async () => {
    const answer = await timedFetch(`${base}/undeclared`, {}, DEFAULT_FETCH_TIMEOUTS, 'undeclared');
    await expect(answer.body(100_000, 'the undeclared body')).rejects.toMatchObject({ code: 'ARTIFACT_TOO_LARGE', message: expect.stringContaining('the undeclared body is larger than the 100000-byte limit') });
  });

  it('gives the connection back once a body is read whole, so the next fetch reuses it', async () => {
    const before = connections;
    for (let i = 0; i < 3; i++) await (await timedFetch(`${base}/declared`, {}, DEFAULT_FETCH_TIMEOUTS, 'declared')).body(1 << 20, 'declared');
    expect(connections - before).toBeLessThanOrEqual(1);
  });
});
