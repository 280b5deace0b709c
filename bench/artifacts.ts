import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { ArtifactPuller } from '../host/index.ts';
import { sha256Digest } from '../host/artifacts/oci-blobs.ts';
import { pushComponent } from '../host/artifacts/oci-components.ts';
import { parseOciReference, registryBaseUrl } from '../host/artifacts/oci-reference.ts';
import { RegistryClient } from '../host/artifacts/registry-client.ts';
import { latticeArtifactStore } from '../host/lattice/index.ts';
import { startNatsServer } from '../test/fixtures/nats-server.ts';
import { startRegistry } from '../test/fixtures/oci-registry.ts';
import { report } from './report.ts';
import { ratesInTurns } from './turns.ts';

const ARTIFACT = new Uint8Array(randomBytes(2 * 1024 * 1024));
const SECONDS = 3;
const WARM_UP_MS = 2000;

/**
 * Pulls of a 2 MiB artifact, against a plain HTTP GET of the same bytes from a node:http server in
 * this process, timed in turns (issue 21). A pull is all of what a host does before it verifies the
 * claims: resolve the tag to a manifest (registry) or read the object's info (lattice store), fetch
 * the bytes, check them against their digest, write them into the digest cache. The cache is
 * emptied before each pull, so that every pull fetches: the cache would otherwise answer it. The
 * GET does only the fetch, as the issue states the goal; the ratio therefore also carries the
 * digest, the manifest's round trip and the cache write.
 *
 * Two more figures, without goals, say where the rest goes: the same GET of the blob from the
 * registry itself (what the registry's server costs, before any of the pull's own work), and the
 * store's read of the object's chunks alone (what JetStream and nats.js cost).
 */
export async function artifactsScenario(): Promise<void> {
  const registry = await startRegistry();
  const nats = await startNatsServer();
  const connection = await connect({ servers: nats.url });
  const home = await mkdtemp(join(tmpdir(), 'badger-bench-artifacts-'));
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': ARTIFACT.length });
    response.end(ARTIFACT);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const reference = `oci://${registry.registry}/bench/artifact:1`;
    await pushComponent(new RegistryClient(registryBaseUrl(registry.registry, false)), parseOciReference(reference), ARTIFACT);
    const store = latticeArtifactStore(connection, 'bench');
    await store.put('artifact:1', ARTIFACT);
    const puller = new ArtifactPuller({ home, maxBytes: 64 * 1024 * 1024, credentials: async () => undefined, latticeArtifacts: () => store });
    const cached = join(home, 'artifacts', 'sha256', sha256Digest(ARTIFACT).slice('sha256:'.length));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/artifact`;
    const blobUrl = `${registryBaseUrl(registry.registry, false)}/v2/bench/artifact/blobs/${sha256Digest(ARTIFACT)}`;
    const get = async (from: string) => {
      const response = await fetch(from);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length !== ARTIFACT.length) throw new Error(`the GET of ${from} did not fetch the artifact`);
    };
    const pull = async (location: string) => {
      await rm(cached, { force: true });
      const pulled = await puller.pull(location);
      if (pulled.cached || pulled.bytes.length !== ARTIFACT.length) throw new Error(`${location}: the pull did not fetch the artifact`);
    };
    const rates = await ratesInTurns(
      'artifacts pull 2 MiB',
      {
        get: () => get(url),
        registry: () => pull(reference),
        lattice: () => pull('lattice://artifact:1'),
        registryGet: () => get(blobUrl),
        latticeRead: async () => {
          if ((await store.get('artifact:1', ARTIFACT.length))?.length !== ARTIFACT.length) throw new Error('the store did not read the artifact');
        },
      },
      SECONDS,
      WARM_UP_MS,
    );
    report('artifacts', 'oci-pull-2mib-ops', rates.registry, rates.get, { op: '>=', target: 0.5, on: 'ratio' });
    report('artifacts', 'lattice-pull-2mib-ops', rates.lattice, rates.get, { op: '>=', target: 0.5, on: 'ratio' });
    report('artifacts', 'registry-plain-get-2mib-ops', rates.registryGet, rates.get);
    report('artifacts', 'lattice-chunks-read-2mib-ops', rates.latticeRead, rates.get);
  } finally {
    server.close();
    await connection.close();
    await nats.stop();
    await registry.stop();
    await rm(home, { recursive: true, force: true });
  }
}
