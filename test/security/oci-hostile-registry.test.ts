import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pushBlob } from '../../host/artifacts/oci-blobs.ts';
import { pullComponent } from '../../host/artifacts/oci-components.ts';
import { parseOciReference } from '../../host/artifacts/oci-reference.ts';
import { RegistryClient } from '../../host/artifacts/registry-client.ts';

const bytes = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * seed) % 251);

// A registry is another party: what it answers is read as hostile.
describe('a hostile OCI registry', () => {
  // It chooses where an upload goes (its Location header): it could send the upload, and the
  // credentials that come with it, to a server of its choosing.
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
      await expect(pushBlob(new RegistryClient(baseUrl, { credentials: { username: 'secret', password: 'secret', source: '--user' } }), 'badger/x', bytes(10, 1))).rejects.toMatchObject({ code: 'ARTIFACT_REGISTRY_REFUSED', message: expect.stringContaining('another server') });
      expect(seen).toEqual([]);
    } finally {
      hostile.close();
      elsewhere.close();
    }
  });

  it('cannot make a pull hold an endless manifest in memory', async () => {
    let sent = 0;
    const endless = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      const more = () => {
        while (sent < 64 * 1024 * 1024 && response.write(Buffer.alloc(16 * 1024, 'x'))) sent += 16 * 1024;
        if (sent >= 64 * 1024 * 1024) response.end();
      };
      response.on('drain', more);
      response.on('close', () => response.off('drain', more));
      more();
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const registry = `127.0.0.1:${(endless.address() as AddressInfo).port}`;
      await expect(pullComponent(new RegistryClient(`http://${registry}`), parseOciReference(`oci://${registry}/badger/x:1`), 1024 * 1024)).rejects.toMatchObject({ code: 'ARTIFACT_TOO_LARGE', message: expect.stringContaining('the manifest of') });
      // It stopped reading soon after the manifest's limit, far from the 64 MiB on offer.
      expect(sent).toBeLessThan(16 * 1024 * 1024);
    } finally {
      endless.closeAllConnections();
      endless.close();
    }
  });

  it('never sends credentials in the clear to a token realm off this machine that the registry names', async () => {
    const hostile = createServer((_request, response) => {
      response.writeHead(401, { 'www-authenticate': 'Bearer realm="http://collector.badger.test/token",service="x"' }).end();
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const client = new RegistryClient(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}`, { credentials: { username: 'secret', password: 'secret', source: '--user' } });
      await expect(client.send('/v2/badger/x/manifests/1', {}, 'pulling')).rejects.toMatchObject({ code: 'ARTIFACT_REGISTRY_REFUSED', message: expect.stringContaining('token realm http://collector.badger.test is not https') });
    } finally {
      hostile.close();
    }
  });
});
