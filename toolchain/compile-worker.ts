// Runs in its own process (see compile.ts), for build after build: componentize-js holds a 12 MB
// engine and a wizer child, and jco's WIT loader needs filesystem preopens that must never be set in a host.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire, stripTypeScriptTypes } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { componentEmbed, componentNew, componentWit, parse } from '@bytecodealliance/jco';
import type { CompileRequest, CompileResult } from './compile-request.ts';
import { BuildError } from './errors.ts';
import { engineWasiVersion, retargetWasiVersion } from './wit-tree.ts';
import { featuresToDisable, jsWorldMismatch, usesFetchEvent, withDeclaredGrants, worldShapeFromWit, type WorldShape } from './world-shape.ts';

async function allowWitPaths(): Promise<void> {
  // jco's wasm-tools reads WIT through the preview2-shim that jco-transpile bundles, which has no
  // preopens by default; without one, every witPath fails with "No such file or directory".
  const fromTranspiler = createRequire(import.meta.resolve('@bytecodealliance/jco-transpile'));
  const shim = (await import(fromTranspiler.resolve('@bytecodealliance/preview2-shim/filesystem'))) as {
    _setPreopens: (preopens: Record<string, string>) => void;
  };
  shim._setPreopens({ '/': '/' });
}

async function resolveWorld(request: CompileRequest): Promise<WorldShape> {
  try {
    const dummy = await componentEmbed({ dummy: true, witPath: request.witDir, world: request.world });
    return worldShapeFromWit(await componentWit(await componentNew(dummy, undefined)));
  } catch (error) {
    const detail = (await findWitSyntaxError(request.witDir)) ?? firstLines(error);
    throw new BuildError('BUILD_WIT_INVALID', `the WIT for world "${request.world}" does not resolve: ${detail}`);
  }
}

/**
 * wasm-tools reports a bad file in a WIT folder only as "failed to parse package"; parsing each
 * root file on its own names the file and the problem. Errors about names defined elsewhere are
 * expected when a file is read alone, so they are passed over.
 */
async function findWitSyntaxError(witDir: string): Promise<string | undefined> {
  for (const entry of await readdir(witDir, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.wit')) continue;
    try {
      await componentEmbed({ dummy: true, witSource: await readFile(join(witDir, entry.name), 'utf8') });
    } catch (error) {
      const message = firstLines(error);
      if (!/not found|package|world|defined/i.test(message)) return `${entry.name}: ${message}`;
    }
  }
  return undefined;
}

/** wasm-tools' WAT errors arrive as Rust debug text; keep the position and the reason. */
function describeWatError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const position = /line: (\d+), col: (\d+)/.exec(text);
  const reason = /kind: Custom\("((?:[^"\\]|\\.)*)"\)/.exec(text)?.[1] ?? /kind: (\w+)/.exec(text)?.[1] ?? firstLines(error);
  return position ? `${Number(position[1]) + 1}:${Number(position[2]) + 1}: ${reason}` : reason;
}

/**
 * Node's type stripper puts the position in its stack, not its message: `:LINE`, source lines,
 * then a caret under the column. Answers `LINE:COLUMN: message`, one line as every build error is.
 */
function describeTypeScriptError(error: unknown): string {
  const lines = ((error as Error).stack ?? '').split('\n');
  const line = /^:(\d+)$/.exec(lines[0] ?? '')?.[1];
  const caretAt = lines.findIndex((text) => /^\s*\^+\s*$/.test(text));
  if (!line || caretAt < 1) return ` ${firstLines(error)}`;
  return `${line}:${lines[caretAt]!.indexOf('^') + 1}: ${(error as Error).message}`;
}

async function compileWat(request: CompileRequest): Promise<Uint8Array> {
  let core: Uint8Array;
  try {
    core = await parse(await readFile(request.sourcePath, 'utf8'));
  } catch (error) {
    throw new BuildError('BUILD_SOURCE_INVALID', `${request.sourcePath}:${describeWatError(error)}`);
  }
  const embedded = await componentEmbed({ binary: core, witPath: request.witDir, world: request.world });
  try {
    return await componentNew(embedded, undefined);
  } catch (error) {
    throw new BuildError('BUILD_WORLD_MISMATCH', `${request.sourcePath} does not match world "${request.world}": ${rootCause(error)}`);
  }
}

/**
 * TypeScript in, JavaScript out: every .ts file beside the entry, with `.ts` imports renamed `.js`,
 * and WASI 0.2 imports (`wasi:filesystem/preopens@0.2.0`) renamed to the engine's 0.2.x, as its WIT
 * is: componentize-js finds an import only by its exact version.
 */
async function stripTypes(request: CompileRequest): Promise<string> {
  const sourceRoot = dirname(request.sourcePath);
  const wasiVersion = await engineWasiVersion();
  for (const entry of await readdir(sourceRoot, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
    const from = join(entry.parentPath, entry.name);
    let code: string;
    try {
      code = stripTypeScriptTypes(await readFile(from, 'utf8'), { mode: 'strip' });
    } catch (error) {
      throw new BuildError('BUILD_SOURCE_INVALID', `${from}:${describeTypeScriptError(error)}`);
    }
    const to = join(request.scratchDir, relative(sourceRoot, from)).replace(/\.ts$/, '.js');
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, retargetWasiVersion(code.replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2'), wasiVersion));
  }
  return join(request.scratchDir, relative(sourceRoot, request.sourcePath)).replace(/\.ts$/, '.js');
}

async function compileJs(request: CompileRequest, shape: WorldShape): Promise<Uint8Array> {
  const entry = request.language === 'typescript' ? await stripTypes(request) : request.sourcePath;
  const jsSource = await readFile(entry, 'utf8');
  const mismatch = jsWorldMismatch(jsSource, shape, request.backend);
  if (mismatch) throw new BuildError('BUILD_WORLD_MISMATCH', `${request.sourcePath}: ${mismatch}`);
  try {
    if (request.backend === 'quickjs') {
      const { componentize } = (await import('componentize-qjs')) as typeof import('componentize-qjs');
      // The QuickJS runtime brings wasi:cli and wasi:filesystem through its preview1 adapter; stubbing
      // them keeps the component's imports to what the world declares (and is why jsWorldMismatch refuses WASI worlds).
      const { component } = await componentize({ witPath: request.witDir, world: request.world, jsSource, jsPath: entry, stubWasi: true, sync: true });
      return new Uint8Array(component);
    }
    const { componentize } = await import('@bytecodealliance/componentize-js');
    const { component } = await componentize({
      sourcePath: entry,
      witPath: request.witDir,
      worldName: request.world,
      disableFeatures: featuresToDisable(shape, usesFetchEvent(jsSource)),
    });
    return component;
  } catch (error) {
    if (error instanceof BuildError) throw error;
    const text = firstLines(error);
    const code = /export|expected|missing/i.test(text) && !/SyntaxError/.test(text) ? 'BUILD_WORLD_MISMATCH' : 'BUILD_SOURCE_INVALID';
    throw new BuildError(code, `${request.sourcePath}: ${text}`);
  }
}

function meaningfulLines(error: unknown): string[] {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').map((line) => line.trim().replace(/^\$?\d+: /, '').replace(/^\$/, '')).filter((line) => line && !/^(Caused by:|Stack backtrace|at )/.test(line));
}

function firstLines(error: unknown): string {
  return meaningfulLines(error).slice(0, 3).join(' / ');
}

/** wasm-tools puts the root cause last, after its chain of contexts. */
function rootCause(error: unknown): string {
  return meaningfulLines(error).at(-1) ?? String(error);
}

async function run(request: CompileRequest): Promise<CompileResult> {
  try {
    await allowWitPaths();
    const shape = await resolveWorld(request);
    const component = request.language === 'wat' ? await compileWat(request) : await compileJs(request, shape);
    await writeFile(request.outputPath, component);
    return { ok: true, shape: withDeclaredGrants(worldShapeFromWit(await componentWit(component)), shape) };
  } catch (error) {
    if (error instanceof BuildError) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: 'BUILD_FAILED', message: firstLines(error) };
  }
}

// One request at a time over IPC (compile.ts sends the next only after an answer). After a failed
// build the process ends, so that whatever state a failure left in the compilers is not reused.
process.on('message', (request: CompileRequest) => {
  void run(request).then((result) => process.send!(result, undefined, {}, () => (result.ok ? undefined : process.exit(0))));
});
process.on('disconnect', () => process.exit(0));
