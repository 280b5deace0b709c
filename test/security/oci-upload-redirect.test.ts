import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pushBlob } from '../../host/artifacts/oci-blobs.ts';

const bytes = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * seed) % 251);

// A registry chooses where an upload goes (its Location header): a hostile one could send the
// upload, and the credentials that come with it, to a server of its choosing.
describe('an OCI registry that names another server for an upload', () => {
  it('never sends its credentials to another server a registry names for the upload', async () => {
    const seen: (string | undefined)[] = [];
    const elsewhere = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(201).end();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const hostile = createServer((request, response) => {
      if (request.method === 'HEAD') return response.writeHead(404).end();
      response.writeHead(202, { location: `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/upload` }).end();
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
      await expect(pushBlob({ baseUrl, authorization: 'Basic c2VjcmV0OnNlY3JldA==' }, 'badger/x', bytes(10, 1))).rejects.toMatchObject({ code: 'ARTIFACT_REGISTRY_REFUSED', message: expect.stringContaining('another server') });
      expect(seen).toEqual([]);
    } finally {
      hostile.close();
      elsewhere.close();
    }
  });
});
