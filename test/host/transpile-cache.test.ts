import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transpileCached, wasiHttpImports } from '../../host/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { request } from '../actors/http-request.ts';
import { ambientImports } from '../fixtures/instantiate-actor.ts';

describe('transpile cache', () => {
  it('transpiles a component once; a second start reads the cache, and both instantiate', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'badger-transpile-'));
    const bytes = new Uint8Array(await readFile(builtActor('hello-wat')));
    const first = await transpileCached(bytes, cache);
    const second = await transpileCached(bytes, cache);
    expect(first.transpiled).toBe(true);
    expect(second.transpiled).toBe(false);
    expect(second.key).toBe(first.key);
    expect(second.imports).toEqual(first.imports);
    expect(first.imports).toContain('wasi:http/types');
    expect(first.exports).toContain('incomingHandler');

    const imports = { ...ambientImports(), ...wasiHttpImports() };
    for (const component of [first, second]) {
      const response = await request(await component.instantiate(imports), 'GET', '/');
      expect(response.text).toBe('Hello from awesome-badger!\n');
    }
  });

  it('transpiles again an entry removed from the disk after this process loaded it', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'badger-transpile-'));
    const bytes = new Uint8Array(await readFile(builtActor('hello-wat')));
    const first = await transpileCached(bytes, cache);
    await rm(first.dir, { recursive: true });
    const again = await transpileCached(bytes, cache);
    expect(again.transpiled).toBe(true);
    const response = await request(await again.instantiate({ ...ambientImports(), ...wasiHttpImports() }), 'GET', '/');
    expect(response.text).toBe('Hello from awesome-badger!\n');
  });

  it('keys the cache by the bytes: a different component is transpiled on its own', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'badger-transpile-'));
    const hello = await transpileCached(new Uint8Array(await readFile(builtActor('hello-wat'))), cache);
    const counter = await transpileCached(new Uint8Array(await readFile(builtActor('counter'))), cache);
    expect(counter.transpiled).toBe(true);
    expect(counter.key).not.toBe(hello.key);
  });

  it('lets an asynchronous provider answer a synchronous guest import (JSPI)', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'badger-transpile-'));
    const counter = await transpileCached(new Uint8Array(await readFile(builtActor('counter'))), cache, {
      asyncImports: ['wasi:keyvalue/atomics#increment'],
      asyncExports: ['wasi:http/incoming-handler#handle'],
    });
    const counts = new Map<string, bigint>();
    class Bucket {}
    const keyValue = {
      'wasi:keyvalue/store': { open: () => new Bucket(), Bucket },
      'wasi:keyvalue/atomics': {
        // A remote provider answers later; the guest is suspended meanwhile.
        increment: async (_bucket: Bucket, key: string, delta: bigint) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          const next = (counts.get(key) ?? 0n) + delta;
          counts.set(key, next);
          return next;
        },
      },
      'wasi:keyvalue/batch': { getMany: () => [], setMany: () => {}, deleteMany: () => {} },
    };
    const imports = { ...ambientImports(), ...wasiHttpImports(), ...keyValue };
    expect(JSON.parse((await request(await counter.instantiate(imports), 'GET', '/x')).text)).toEqual({ path: '/x', count: 1 });
    expect(JSON.parse((await request(await counter.instantiate(imports), 'GET', '/x')).text)).toEqual({ path: '/x', count: 2 });
  });

  it('writes bindings whose per-call debug logging is switched off, and which keep no record of every resource made', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'badger-transpile-'));
    const component = await transpileCached(new Uint8Array(await readFile(builtActor('hello-wat'))), cache);
    const generated = await readFile(join(component.dir, 'component.js'), 'utf8');
    expect(generated).toContain('const _debugLog = () => {};');
    expect(generated).not.toContain('JCO_DEBUG');
    // The Set is still made (nothing else changes), but nothing adds to it.
    expect(generated).toContain('_createdReps = new Set()');
    expect(generated).not.toContain('_createdReps.add(');
  });
});
