import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { sha256Digest } from '../../host/artifacts/oci-blobs.ts';
import { hubConfig, leafConfig, runNatsServer, type NatsProcess } from '../../host/lattice/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { freePort } from '../fixtures/nats-server.ts';
import { runCli } from './run-cli.ts';

const servers: NatsProcess[] = [];
const homes: string[] = [];
afterAll(async () => {
  for (const home of homes) await runCli(['down'], { BADGER_HOME: home });
  for (const server of servers.reverse()) await server.stop();
});

/** Runs `attempt` until it holds (bounded): a leaf's link to a restarted hub comes back in its own time. */
async function eventually<T>(attempt: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let tries = 0; tries < 100; tries++) {
    const result = await attempt();
    if (result !== undefined) return result;
    await sleep(200);
  }
  throw new Error(`${what} did not happen within 20 s`);
}

describe("the lattice's artifact store", () => {
  it('takes a push from one leaf, keeps it through a hub restart, and a host on another leaf starts it by lattice:// reference', async () => {
    const [hubPort, leafPort, laptopPort] = [await freePort(), await freePort(), await freePort()];
    const storeDir = await mkdtemp(join(tmpdir(), 'badger-hub-store-'));
    const hubAt = () => runNatsServer(hubConfig({ host: '127.0.0.1', port: hubPort, leafPort, storeDir }), '127.0.0.1', hubPort);
    let hub = await hubAt();
    const laptopLeaf = await runNatsServer(leafConfig({ host: '127.0.0.1', port: laptopPort, remoteUrls: [`nats-leaf://127.0.0.1:${leafPort}`] }), '127.0.0.1', laptopPort);
    servers.push(laptopLeaf);
    const laptop = { BADGER_HOME: await mkdtemp(join(tmpdir(), 'badger-laptop-')) };
    const file = builtActor('hello-wat');

    // The laptop's leaf reaches the hub's JetStream by its domain once the leaf link is up.
    const pushed = await eventually(async () => {
      const run = await runCli(['push', file, 'hello-wat:0.1.0', '--nats', laptopLeaf.url, '--json'], laptop);
      return run.code === 0 ? (JSON.parse(run.stdout) as { digest: string }) : undefined;
    }, 'a push through the laptop leaf');
    expect(pushed.digest).toBe(sha256Digest(await readFile(file)));
    const listed = await runCli(['artifacts', 'list', '--nats', laptopLeaf.url], laptop);
    expect(listed.stdout).toMatch(/lattice:\/\/hello-wat:0\.1\.0 +[\d.]+ KiB +sha256:/);

    await hub.stop();
    hub = await hubAt();
    servers.unshift(hub);

    // The "Pi": a host of its own home, on a leaf of its own that its `up` starts; it trusts the laptop's signer.
    const pi = { BADGER_HOME: await mkdtemp(join(tmpdir(), 'badger-pi-')) };
    homes.push(pi.BADGER_HOME);
    const piLeafPort = await freePort();
    const issuer = decodeClaimsToken(readTopLevelToken(await readFile(file))!).iss;
    const up = await runCli(['up', '--detached', '--leaf-remote', `nats-leaf://127.0.0.1:${leafPort}`, '--leaf-port', String(piLeafPort), '--trust', issuer], pi);
    expect(up.code, up.stderr).toBe(0);
    const started = await eventually(async () => {
      const run = await runCli(['start', 'actor', 'lattice://hello-wat:0.1.0', '--json'], pi);
      if (run.code !== 0 && !/LATTICE_NO_JETSTREAM|no responders|ARTIFACT_FETCH_TIMEOUT/i.test(run.stderr)) throw new Error(run.stderr);
      return run.code === 0 ? (JSON.parse(run.stdout) as { name: string }) : undefined;
    }, 'a start from the lattice store');
    expect(started.name).toBe('hello-wat');
    const called = await runCli(['call', 'hello-wat', 'wasi:http/incoming-handler.handle', '{"path": "/"}'], pi);
    expect(called.stdout).toBe('200\nHello from awesome-badger!\n\n');
    // Pulled once, into the Pi's own cache.
    expect(Buffer.from(await readFile(join(pi.BADGER_HOME, 'artifacts', 'sha256', pushed.digest.slice(7)))).equals(await readFile(file))).toBe(true);

    const missing = await runCli(['start', 'actor', 'lattice://hello-wat:9.9.9'], pi);
    expect(missing.stderr).toMatch(/error\[ARTIFACT_NOT_FOUND\]: lattice:\/\/hello-wat:9\.9\.9: the lattice store has no such artifact/);
    expect((await runCli(['artifacts', 'rm', 'hello-wat:0.1.0', '--nats', laptopLeaf.url], laptop)).code).toBe(0);
    const gone = await runCli(['artifacts', 'rm', 'hello-wat:0.1.0', '--nats', laptopLeaf.url], laptop);
    expect(gone.stderr).toMatch(/error\[ARTIFACT_NOT_FOUND\]/);
    expect((await runCli(['artifacts', 'list', '--nats', laptopLeaf.url], laptop)).stdout).toMatch(/store is empty/);
  }, 120_000);
});
