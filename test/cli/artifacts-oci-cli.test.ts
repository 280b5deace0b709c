import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { sha256Digest } from '../../host/artifacts/oci-blobs.ts';
import { builtActor } from '../actors/built-actors.ts';
import { startRegistry, type RunningRegistry } from '../fixtures/oci-registry.ts';
import { runCli } from './run-cli.ts';

// A registry that wants alice's credentials, and a host whose only way to them is docker login's config.json.
let registry: RunningRegistry;
let home: string;
let dockerConfig: string;
let work: string;
const hostEnv = () => ({ BADGER_HOME: home, DOCKER_CONFIG: dockerConfig, BADGER_REGISTRY_USER: '', BADGER_REGISTRY_PASSWORD: '' });

beforeAll(async () => {
  registry = await startRegistry({ users: { alice: 'wonderland' } });
  home = await mkdtemp(join(tmpdir(), 'badger-oci-cli-'));
  work = await mkdtemp(join(tmpdir(), 'badger-oci-work-'));
  dockerConfig = join(work, 'docker');
  await mkdir(dockerConfig);
  await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.registry]: { auth: Buffer.from('alice:wonderland').toString('base64') } } }));
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('hello-wat')))!).iss;
  expect((await runCli(['up', '--detached', '--trust', issuer], hostEnv())).code).toBe(0);
});

afterAll(async () => {
  await runCli(['down'], { BADGER_HOME: home });
  await registry.stop();
});

describe('badger push, pull and start with oci:// references', () => {
  it('pushes with --user/--password (and refuses without), pulls with the env credentials, and the host starts it from the registry by tag and by digest', async () => {
    const file = builtActor('hello-wat');
    const reference = `oci://${registry.registry}/badger/hello-wat:0.1.0`;
    const anonymous = { BADGER_HOME: home, DOCKER_CONFIG: join(work, 'none') };

    const refused = await runCli(['push', file, reference], anonymous);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error\[ARTIFACT_REGISTRY_AUTH\]: .*needs credentials: give --user and --password/);

    const pushed = await runCli(['push', file, reference, '--user', 'alice', '--password', 'wonderland', '--json'], anonymous);
    expect(pushed.code, pushed.stderr).toBe(0);
    const { digest } = JSON.parse(pushed.stdout) as { digest: string };
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const output = join(work, 'pulled.wasm');
    const pulled = await runCli(['pull', reference, '-o', output, '--json'], { ...anonymous, BADGER_REGISTRY_USER: 'alice', BADGER_REGISTRY_PASSWORD: 'wonderland' });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(Buffer.from(await readFile(output)).equals(await readFile(file))).toBe(true);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ digest: sha256Digest(await readFile(file)), resolved: digest, cached: false });

    // The host's credentials come from its own DOCKER_CONFIG; its pull is checked and verified like a file.
    const byTag = await runCli(['start', 'actor', reference, '--json'], hostEnv());
    expect(byTag.code, byTag.stderr).toBe(0);
    expect(JSON.parse(byTag.stdout)).toMatchObject({ name: 'hello-wat' });
    const called = await runCli(['call', 'hello-wat', 'wasi:http/incoming-handler.handle', '{"path": "/"}'], hostEnv());
    expect(called.stdout).toBe('200\nHello from awesome-badger!\n\n');
    expect((await runCli(['stop', 'actor', 'hello-wat'], hostEnv())).code).toBe(0);
    const byDigest = await runCli(['start', 'actor', `oci://${registry.registry}/badger/hello-wat@${digest}`, '--json'], hostEnv());
    expect(byDigest.code, byDigest.stderr).toBe(0);
    expect((await runCli(['stop', 'actor', 'hello-wat'], hostEnv())).code).toBe(0);
    // Cached by digest under the host's BADGER_HOME.
    expect(Buffer.from(await readFile(join(home, 'artifacts', 'sha256', sha256Digest(await readFile(file)).slice(7)))).equals(await readFile(file))).toBe(true);
  });

  it('refuses an unsigned component pulled from the registry, as it would refuse the file', async () => {
    const unsigned = builtActor('hello-wat').replace(/_s\.wasm$/, '.wasm');
    const reference = `oci://${registry.registry}/badger/unsigned:1`;
    expect((await runCli(['push', unsigned, reference, '--user', 'alice', '--password', 'wonderland'], { BADGER_HOME: home })).code).toBe(0);
    const started = await runCli(['start', 'actor', reference], hostEnv());
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(/error\[POLICY_UNSIGNED_DENIED\]/);
  });

  it('names a malformed reference before asking the host', async () => {
    const run = await runCli(['start', 'actor', 'oci://registry.example/Badger/UPPER:1'], { BADGER_HOME: await mkdtemp(join(tmpdir(), 'badger-nohost-')) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error\[ARTIFACT_BAD_REFERENCE\]: oci:\/\/registry.example\/Badger\/UPPER:1 is not an OCI reference/);
  });
});
