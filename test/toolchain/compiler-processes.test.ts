/**
 * Builds share compiler processes: the next build goes to the compiler the last one used, and a
 * failed build ends its compiler, so that the build after it starts on a fresh one.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../claims/index.ts';
import { buildActor, compilerPids, loadActorProject } from '../../toolchain/index.ts';

const HELLO_WAT = fileURLToPath(new URL('../../actors-src/hello-wat/actor.wat', import.meta.url));
const keys = { issuer: generateKeyPair('account'), subject: generateKeyPair('component') };

async function watProject(dir: string, name: string, source: string): Promise<string> {
  const project = join(dir, name);
  await mkdir(project, { recursive: true });
  await writeFile(join(project, 'actor.wat'), source);
  await writeFile(join(project, 'badger.toml'), `name = "${name}"\nlanguage = "wat"\nworld = "http-actor"\nsource = "actor.wat"\n`);
  return project;
}

const build = async (project: string) => buildActor(await loadActorProject(project), keys);

/** Polls (bounded) until the compiler has gone. */
async function gone(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 100 && compilerPids().includes(pid); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
  return !compilerPids().includes(pid);
}

describe('compiler processes', () => {
  it('serve build after build, and a failed build ends its compiler without failing the next build', async () => {
    const work = await mkdtemp(join(tmpdir(), 'badger-compilers-'));
    const source = await readFile(HELLO_WAT, 'utf8');
    expect((await build(await watProject(work, 'first', source))).cached).toBe(false);
    const [compiler] = compilerPids();
    expect(compiler).toBeGreaterThan(0);
    await build(await watProject(work, 'second', source));
    expect(compilerPids()).toEqual([compiler]);

    await expect(build(await watProject(work, 'broken', '(module (func $f (result i32) i32.const))'))).rejects.toMatchObject({ code: 'BUILD_SOURCE_INVALID' });
    expect(await gone(compiler!)).toBe(true);
    const next = await build(await watProject(work, 'third', source));
    expect(next.capabilities).toEqual(['wasi:http/incoming-handler']);
    expect(compilerPids()).toHaveLength(1);
    expect(compilerPids()).not.toContain(compiler);
  }, 60_000);
});
