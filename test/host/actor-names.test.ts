import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, signArtifact } from '../../claims/index.ts';
import { defaultPolicy, exportPath, handleControlRequest, Host, type HostIdentity } from '../../host/index.ts';
import { greeterCallerComponent, greeterComponent } from '../fixtures/wat-components.ts';

describe('the names of an export', () => {
  it('are found whether short, kebab-case, camelCase or fully qualified with or without a version', () => {
    expect(exportPath('run')).toEqual(['run']);
    expect(exportPath('tool.list-keys')).toEqual(['tool', 'listKeys']);
    expect(exportPath('tool.listKeys')).toEqual(['tool', 'listKeys']);
    expect(exportPath('wasmcloud:example/receiver.invoke')).toEqual(['receiver', 'invoke']);
    expect(exportPath('wasmcloud:example/receiver@0.1.0.invoke')).toEqual(['receiver', 'invoke']);
    expect(exportPath('wasi:keyvalue/store@0.2.0-draft.get-many')).toEqual(['store', 'getMany']);
    expect(exportPath('example:tools/text/shout@1.0.0-rc.1.shout-length')).toEqual(['shout', 'shoutLength']);
  });

  it('reach the same function of a running actor', async () => {
    const work = await mkdtemp(join(tmpdir(), 'badger-export-names-'));
    const path = join(work, 'greeter.wasm');
    await writeFile(path, await greeterComponent());
    const host = new Host({ cacheDir: join(work, 'cache'), policy: { ...defaultPolicy([]), allowUnsigned: true }, logger: pino({ level: 'silent' }) });
    try {
      const actor = await host.startActor(path);
      for (const name of ['greet.twice', 'example:greeter/greet.twice', 'example:greeter/greet@0.1.0.twice']) {
        expect(await host.invoke(actor.id, { kind: 'call', name, args: [21] })).toEqual({ ok: true, value: { ok: 42 } });
      }
      expect(await host.invoke(actor.id, { kind: 'call', name: 'example:greeter/other@0.1.0.twice', args: [1] })).toMatchObject({ ok: false, code: 'ACTOR_NO_SUCH_EXPORT' });
    } finally {
      await host.shutdown();
    }
  });
});

describe('the target of a link', () => {
  it('may be an actor named as its claims name it, not only by its id', async () => {
    const work = await mkdtemp(join(tmpdir(), 'badger-link-names-'));
    const issuer = generateKeyPair('account');
    const signed = async (name: string, bytes: Uint8Array, caps: string[] = []) => {
      const path = join(work, `${name}.wasm`);
      await writeFile(path, (await signArtifact(bytes, { issuer, subject: generateKeyPair('component'), issuedAt: Math.floor(Date.now() / 1000) - 60, claims: { name, caps } })).bytes);
      return path;
    };
    const host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer.publicKey]), logger: pino({ level: 'silent' }) });
    const identity: HostIdentity = { labels: {}, startedAt: new Date().toISOString(), onShutdown: () => {}, ready: () => true };
    try {
      const greeter = await host.startActor(await signed('greeter', await greeterComponent()));
      const caller = await host.startActor(await signed('caller', await greeterCallerComponent(), ['example:greeter/greet']));
      const put = await handleControlRequest(host, identity, { op: 'put-link', source: 'caller', target: 'greeter', interface: 'example:greeter/greet' });
      expect(put).toMatchObject({ ok: true, data: { source: caller.id, target: greeter.id } });
      expect(await host.invoke(caller.id, { kind: 'call', name: 'run', args: [21] })).toEqual({ ok: true, value: { ok: 42 } });
      // A target that names nothing here (and this host is on no lattice) is refused now, not at the first call.
      const refused = await handleControlRequest(host, identity, { op: 'put-link', source: 'caller', target: 'middleware', interface: 'example:greeter/greet' });
      expect(refused).toMatchObject({ ok: false, code: 'LINK_TARGET_NOT_FOUND', message: expect.stringContaining('no provider or actor named middleware runs here') });
      expect(host.links.query({ source: caller.id })).toMatchObject([{ target: greeter.id }]);
    } finally {
      await host.shutdown();
    }
  });
});
