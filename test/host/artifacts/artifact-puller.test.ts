import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactPuller } from '../../../host/artifacts/artifact-puller.ts';
import { sha256Digest } from '../../../host/artifacts/oci-blobs.ts';
import { pushComponent } from '../../../host/artifacts/oci-components.ts';
import { parseOciReference, registryBaseUrl } from '../../../host/artifacts/oci-reference.ts';
import { RegistryClient } from '../../../host/artifacts/registry-client.ts';
import { builtActor } from '../../actors/built-actors.ts';
import { startRegistry, type RunningRegistry } from '../../fixtures/oci-registry.ts';

const MiB = 1024 * 1024;
let open: RunningRegistry;
let locked: RunningRegistry;
const homes: string[] = [];
beforeAll(async () => {
  [open, locked] = await Promise.all([startRegistry(), startRegistry({ users: { alice: 'wonderland' } })]);
});
afterAll(async () => {
  await Promise.all([open.stop(), locked.stop(), ...homes.map((home) => rm(home, { recursive: true, force: true }))]);
});

const newHome = async () => {
  const home = await mkdtemp(join(tmpdir(), 'badger-pull-'));
  homes.push(home);
  return home;
};
const component = (name: string) => readFile(builtActor(name)).then((bytes) => new Uint8Array(bytes));
const push = (registry: RunningRegistry, reference: string, bytes: Uint8Array, credentials?: { username: string; password: string }) =>
  pushComponent(new RegistryClient(registryBaseUrl(registry.registry, false), credentials ? { credentials: { ...credentials, source: 'the test' } } : {}), parseOciReference(`oci://${registry.registry}/${reference}`), bytes);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);

describe('pulling references into the digest cache', () => {
  it('pulls by tag, then by digest from the cache with the registry gone; a tag that moved is noticed', async () => {
    const registry = await startRegistry();
    const home = await newHome();
    const puller = new ArtifactPuller({ home, maxBytes: 16 * MiB, credentials: async () => undefined });
    const hello = await component('hello-wat');
    const manifest = await push(registry, 'badger/hello:1', hello);

    const first = await puller.pull(`oci://${registry.registry}/badger/hello:1`);
    expect(same(first.bytes, hello)).toBe(true);
    expect(first).toMatchObject({ digest: sha256Digest(hello), resolved: manifest, cached: false });
    expect(first.movedFrom).toBeUndefined();
    // Cached under its digest in BADGER_HOME.
    expect(same(await readFile(join(home, 'artifacts', 'sha256', sha256Digest(hello).slice(7))), hello)).toBe(true);

    const other = await component('blob-wat');
    const moved = await push(registry, 'badger/hello:1', other);
    const again = await puller.pull(`oci://${registry.registry}/badger/hello:1`);
    expect(same(again.bytes, other)).toBe(true);
    expect(again).toMatchObject({ resolved: moved, movedFrom: manifest, cached: false });

    await registry.stop();
    // A digest names one manifest for ever: held, it needs no registry (a new puller, as after a restart).
    const offline = await new ArtifactPuller({ home, maxBytes: 16 * MiB, credentials: async () => undefined }).pull(`oci://${registry.registry}/badger/hello@${manifest}`);
    expect(offline).toMatchObject({ cached: true, digest: sha256Digest(hello) });
    expect(same(offline.bytes, hello)).toBe(true);
    // A tag must be asked for: with the registry gone, the error says so.
    await expect(new ArtifactPuller({ home, maxBytes: 16 * MiB, credentials: async () => undefined }).pull(`oci://${registry.registry}/badger/hello:1`)).rejects.toMatchObject({ code: 'ARTIFACT_UNREADABLE', message: expect.stringContaining('pulling oci://') });
  });

  it('drops a cached file changed on disk, and pulls the component again', async () => {
    const home = await newHome();
    const puller = () => new ArtifactPuller({ home, maxBytes: 16 * MiB, credentials: async () => undefined });
    const hello = await component('hello-wat');
    const manifest = await push(open, 'badger/cached:1', hello);
    await puller().pull(`oci://${open.registry}/badger/cached@${manifest}`);
    const file = join(home, 'artifacts', 'sha256', sha256Digest(hello).slice(7));
    const changed = await readFile(file);
    changed[10] = changed[10]! ^ 0xff;
    await writeFile(file, changed);
    const pulled = await puller().pull(`oci://${open.registry}/badger/cached@${manifest}`);
    expect(pulled.cached).toBe(false);
    expect(same(pulled.bytes, hello)).toBe(true);
  });

  it('refuses a component over the limit by its manifest, before fetching it', async () => {
    const hello = await component('hello-wat');
    await push(open, 'badger/limited:1', hello);
    await expect(new ArtifactPuller({ home: await newHome(), maxBytes: hello.length - 1, credentials: async () => undefined }).pull(`oci://${open.registry}/badger/limited:1`)).rejects.toMatchObject({
      code: 'ARTIFACT_TOO_LARGE',
      message: expect.stringContaining(`oci://${open.registry}/badger/limited:1`),
    });
  });
});

describe('a registry that requires basic auth', () => {
  it('refuses a pull and a push without credentials, naming how to give them, and with wrong ones; serves them with the right ones', async () => {
    const hello = await component('hello-wat');
    const reference = `oci://${locked.registry}/badger/private:1`;
    await expect(push(locked, 'badger/private:1', hello)).rejects.toMatchObject({ code: 'ARTIFACT_REGISTRY_AUTH', message: expect.stringMatching(/needs credentials: give --user and --password, set BADGER_REGISTRY_USER/) });
    await expect(push(locked, 'badger/private:1', hello, { username: 'alice', password: 'looking-glass' })).rejects.toMatchObject({ code: 'ARTIFACT_REGISTRY_AUTH', message: expect.stringContaining('refused the credentials of the test (user alice)') });
    await push(locked, 'badger/private:1', hello, { username: 'alice', password: 'wonderland' });

    await expect(new ArtifactPuller({ home: await newHome(), maxBytes: 16 * MiB, credentials: async () => undefined }).pull(reference)).rejects.toMatchObject({ code: 'ARTIFACT_REGISTRY_AUTH' });
    const credentials = async (registry: string) => (registry === locked.registry ? { username: 'alice', password: 'wonderland', source: '--user' } : undefined);
    const pulled = await new ArtifactPuller({ home: await newHome(), maxBytes: 16 * MiB, credentials }).pull(reference);
    expect(same(pulled.bytes, hello)).toBe(true);
  });
});

describe('plain HTTP to a registry not on loopback', () => {
  it('needs --insecure: without it the pull speaks HTTPS and fails naming the flag; with it, it pulls', async () => {
    const hello = await component('hello-wat');
    const manifest = await push(open, 'badger/insecure:1', hello);
    // registry.badger.test resolves to 127.0.0.1 for this test only: a name, not loopback by its spelling.
    const port = open.registry.split(':')[1];
    const before = getGlobalDispatcher();
    setGlobalDispatcher(new Agent({ connect: { lookup: (_host, options, callback) => (options?.all ? callback(null, [{ address: '127.0.0.1', family: 4 }] as never, 4) : callback(null, '127.0.0.1', 4)) } }));
    try {
      const named = `registry.badger.test:${port}`;
      const reference = `oci://${named}/badger/insecure@${manifest}`;
      await expect(new ArtifactPuller({ home: await newHome(), maxBytes: 16 * MiB, credentials: async () => undefined }).pull(reference)).rejects.toMatchObject({
        code: 'ARTIFACT_UNREADABLE',
        message: expect.stringContaining(`if the registry at ${named} speaks plain HTTP, give --insecure`),
      });
      const pulled = await new ArtifactPuller({ home: await newHome(), maxBytes: 16 * MiB, insecureRegistries: [named], credentials: async () => undefined }).pull(reference);
      expect(same(pulled.bytes, hello)).toBe(true);
    } finally {
      setGlobalDispatcher(before);
    }
  });
});
