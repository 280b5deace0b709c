import { copyFile, cp, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpile } from '@bytecodealliance/jco';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtActor } from '../actors/built-actors.ts';
import { runCli } from '../cli/run-cli.ts';

const EXAMPLES = fileURLToPath(new URL('../../actors-src/', import.meta.url));
let work: string;
let home: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-build-'));
  home = join(work, 'home');
});

/** A small actor project in a temporary folder. */
async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(work, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const build = (...args: string[]) => runCli(['build', ...args], { BADGER_HOME: home });

describe('badger build: the examples', () => {
  it.each([
    ['hello', ['wasi:http/incoming-handler']],
    ['hello-wat', ['wasi:http/incoming-handler']],
    ['counter', ['wasi:http/incoming-handler', 'wasi:keyvalue/atomics', 'wasi:keyvalue/batch', 'wasi:keyvalue/store']],
    ['oled-ticker', ['badger:oled/display', 'wasi:http/incoming-handler']],
  ])('signs %s with the capabilities its world implies', async (name, capabilities) => {
    const run = await runCli(['claims', 'inspect', builtActor(name), '--json']);
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view.name).toBe(name);
    expect(view.verified).toEqual({ ok: true });
    expect(view.capabilities.map((cap: { interface: string }) => cap.interface)).toEqual(capabilities);
  });

  it('does not rebuild what has not changed', async () => {
    const dirs = ['hello', 'hello-wat', 'counter', 'oled-ticker'].map((name) => join(EXAMPLES, name));
    const run = await runCli(['build', ...dirs, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).map((summary: { cached: boolean }) => summary.cached)).toEqual([true, true, true, true]);
  });
});

describe('badger build: projects', () => {
  it('rebuilds after a source change, and keeps the component key', async () => {
    const dir = join(work, 'greeter');
    await cp(join(EXAMPLES, 'hello-wat'), dir, { recursive: true, filter: (path) => !path.includes('/build') });
    const first = JSON.parse((await build(dir, '--json')).stdout)[0];
    const again = JSON.parse((await build(dir, '--json')).stdout)[0];
    expect(again).toEqual({ ...first, cached: true });
    // An output replaced since the build is summarized from what is there now, not from the record.
    const other = join(EXAMPLES, 'hello', 'build', 'hello_s.wasm');
    await copyFile(other, first.output);
    const replaced = JSON.parse((await build(dir, '--json')).stdout)[0];
    expect(replaced).toMatchObject({ cached: true, size: (await stat(other)).size, capabilities: ['wasi:http/incoming-handler'] });
    expect(replaced.hash).not.toBe(first.hash);
    const source = join(dir, 'actor.wat');
    await writeFile(source, (await readFile(source, 'utf8')).replace('Hello from awesome-badger!', 'Howdy from awesome-badger!'));
    const changed = JSON.parse((await build(dir, '--json')).stdout)[0];
    expect(changed.cached).toBe(false);
    expect(changed.hash).not.toBe(first.hash);
    expect(changed.subject).toBe(first.subject);
  });

  it('builds JavaScript on the QuickJS backend against the project\'s own WIT', async () => {
    const dir = await project('adder', {
      'badger.toml': 'name = "adder"\nlanguage = "javascript"\nworld = "adder"\nbackend = "quickjs"\n',
      'wit/world.wit': 'package example:adder@0.1.0;\n\nworld adder {\n  export add: func(a: s32, b: s32) -> s32;\n}\n',
      'src/index.js': 'export function add(a, b) { return a + b; }\n',
    });
    const run = await build(dir, '--json');
    expect(run.stderr).not.toMatch(/error/);
    const [summary] = JSON.parse(run.stdout);
    expect(summary.capabilities).toEqual([]);
    const { files } = await transpile(new Uint8Array(await readFile(summary.output)), { name: 'adder', instantiation: 'async' });
    const out = join(dir, 'transpiled');
    await mkdir(out, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(out, name.replaceAll('/', '_')), bytes);
    const { instantiate } = await import(join(out, 'adder.js'));
    const instance = await instantiate(async (path: string) => WebAssembly.compile(await readFile(join(out, path))), {});
    expect(instance.add(2, 40)).toBe(42);
  });
});

describe('badger build: bad input gets one clear line', () => {
  const HTTP_WAT = '(module (func (export "unrelated")))';

  it.each([
    ['no config', {}, 'BUILD_CONFIG_MISSING', /has no badger\.toml or badger\.json/],
    ['a typo in the config', { 'badger.toml': 'name = "x"\nlanguage = "wat"\nworld = "http-actor"\nsorce = "a.wat"\n' }, 'BUILD_CONFIG_MALFORMED', /sorce: unknown field/],
    ['bad TOML', { 'badger.toml': 'name = "x\n' }, 'BUILD_CONFIG_MALFORMED', /badger\.toml/],
    ['a missing entry file', { 'badger.toml': 'name = "x"\nlanguage = "typescript"\nworld = "http-actor"\n' }, 'BUILD_SOURCE_MISSING', /src\/index\.ts does not exist/],
    ['a broken WAT source', { 'badger.toml': 'name = "x"\nlanguage = "wat"\nworld = "http-actor"\n', 'actor.wat': '(module (func $f (result i32) i32.const))' }, 'BUILD_SOURCE_INVALID', /actor\.wat/],
    ['a broken TypeScript source', { 'badger.toml': 'name = "x"\nlanguage = "typescript"\nworld = "http-actor"\n', 'src/index.ts': 'const x: number = ;\n' }, 'BUILD_SOURCE_INVALID', /index\.ts/],
    ['a broken WIT', {
      'badger.toml': 'name = "x"\nlanguage = "wat"\nworld = "mine"\n', 'actor.wat': HTTP_WAT,
      'wit/world.wit': 'package me:mine;\nworld mine {\n  export run: func( -> u32;\n}\n',
    }, 'BUILD_WIT_INVALID', /world "mine" does not resolve/],
    ['an unknown world', { 'badger.toml': 'name = "x"\nlanguage = "wat"\nworld = "htp-actor"\n', 'actor.wat': HTTP_WAT }, 'BUILD_WIT_INVALID', /htp-actor/],
    ['a WAT module without the export its world demands', { 'badger.toml': 'name = "x"\nlanguage = "wat"\nworld = "http-actor"\n', 'actor.wat': HTTP_WAT }, 'BUILD_WORLD_MISMATCH', /does not match world "http-actor"/],
    ['TypeScript that never handles HTTP in an HTTP world', {
      'badger.toml': 'name = "x"\nlanguage = "typescript"\nworld = "http-actor"\n', 'src/index.ts': 'export const answer: number = 42;\n',
    }, 'BUILD_WORLD_MISMATCH', /addEventListener\('fetch'/],
    ['a WASI world on the QuickJS backend', {
      'badger.toml': 'name = "x"\nlanguage = "javascript"\nworld = "http-actor"\nbackend = "quickjs"\n', 'src/index.js': 'export const incomingHandler = { handle() {} };\n',
    }, 'BUILD_WORLD_MISMATCH', /QuickJS backend cannot call/],
    ['a TypeScript syntax error, at its line and column', {
      'badger.toml': 'name = "x"\nlanguage = "typescript"\nworld = "http-actor"\n', 'src/index.ts': '// a comment\nconst x: number = ;\n',
    }, 'BUILD_SOURCE_INVALID', /src\/index\.ts:2:19: Expression expected$/],
  ])('%s', async (label, files, code, reason) => {
    const dir = await project(label.replaceAll(' ', '-'), files as Record<string, string>);
    const run = await build(dir);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n').filter((line) => !line.startsWith('Generated a new'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error\\[${code}\\]: `));
    expect(lines[0]).toMatch(reason);
  });
});
