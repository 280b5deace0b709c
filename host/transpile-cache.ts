import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { limitMemory } from './memory-limit.ts';

export interface TranspileOptions {
  /** Imports the guest calls synchronously while the host awaits (JSPI), as `interface#function`. */
  readonly asyncImports?: readonly string[];
  /** Exports that may suspend, for the same reason. */
  readonly asyncExports?: readonly string[];
  /**
   * What identifies the code: wascap's module hash, the same for every signature of it, so that
   * code signed again (another key, a later expiry) is transpiled once. Without it, the bytes do.
   */
  readonly codeHash?: string;
}

/** What a transpile learned about the component, kept beside the generated code. */
export interface ComponentMetadata {
  /** Imports as jco keys them: unversioned interface names. */
  readonly imports: readonly string[];
  /** The same imports as the component names them, with their versions (`wasi:io/streams@0.2.1`). */
  readonly importedInterfaces: readonly string[];
  /**
   * What the bindings take from each imported interface (unversioned) when they instantiate:
   * its functions and resource classes, as jco spells them. One missing fails the instantiation.
   */
  readonly importMembers: Readonly<Record<string, readonly string[]>>;
  readonly exports: readonly string[];
  /** Made by componentize-js: its fetch event serves one request per instance (StarlingMonkey#247). */
  readonly singleRequestInstances: boolean;
  /** For each imported or exported interface (unversioned): its functions, as jco spells them (camelCase). */
  readonly interfaceFunctions: Readonly<Record<string, readonly string[]>>;
  /** Exported interfaces (unversioned) and top-level exported functions, as WIT names them. */
  readonly exportedInterfaces: readonly string[];
  readonly exportedFunctions: readonly string[];
  /** What the core code calls in the host, as `interface#function` without versions (resource methods as `[method]r.f`). */
  readonly coreImports: readonly string[];
  /** Which repairs to jco's generated code were made; one left out makes those calls slower, not wrong. */
  readonly bindingsEdits?: readonly BindingsEditReport[];
}

export interface LoadedComponent extends ComponentMetadata {
  readonly dir: string;
  /** The generated bindings' `instantiate`, with every core module compiled once and shared. */
  instantiate(imports: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface TranspiledComponent extends LoadedComponent {
  /** The cache entry's key: SHA-256 of the component bytes and the transpile options. */
  readonly key: string;
  /** False when this call found the output on disk and did not transpile. */
  readonly transpiled: boolean;
}

/**
 * A claims tag: the signer says this ComponentizeJS component exports its own HTTP handler rather
 * than listening for the fetch event, so one instance may serve many requests. `badger build`
 * adds it; without it a ComponentizeJS component gets a fresh instance per request.
 */
export const REUSABLE_INSTANCES_TAG = 'badger/reusable-instances';

/**
 * Whether each HTTP request gets an instance of its own: what the component's code asks for
 * (a fetch-event handler), unless its claims carry the reusable-instances tag. Pure.
 */
export function singleRequestInstances(component: Pick<TranspiledComponent, 'singleRequestInstances'>, tags: readonly string[] = []): boolean {
  return component.singleRequestInstances && !tags.includes(REUSABLE_INSTANCES_TAG);
}

const ENTRY = 'component.js';
// Bump when the metadata's shape changes. The code generator's versions and the edits' digest are
// in the key as well, so that a new jco or a changed edit never reads an old entry.
const CACHE_FORMAT = 9;
const METADATA = 'badger-transpile.json';

/**
 * jco's transpile, cached on disk by component hash: transpiling a 12 MB StarlingMonkey component
 * costs about 0.7 s, so a host restarting the same actor must not pay it again.
 */
export async function transpileCached(bytes: Uint8Array, cacheRoot: string, options: TranspileOptions = {}): Promise<TranspiledComponent> {
  const key = cacheKey(bytes, options);
  const dir = join(cacheRoot, key);
  // An entry never changes once written, but may be removed (a pruned cache): then it is made again.
  const loaded = loadedHere.get(dir);
  if (loaded && existsSync(join(dir, METADATA))) return { ...(await loaded), key, transpiled: false };
  const transpiled = (await readMetadata(dir)) === undefined;
  if (transpiled) {
    // Tenants of one code started at once (each under its own signature) share one transpile.
    let transpiling = transpilingHere.get(dir);
    if (!transpiling) {
      transpiling = transpileInProcess(bytes, dir, options).finally(() => transpilingHere.delete(dir));
      transpilingHere.set(dir, transpiling);
    }
    await transpiling;
  }
  const loading = loadTranspiled(dir);
  loadedHere.set(dir, loading);
  loading.catch(() => loadedHere.delete(dir));
  return { ...(await loading), key, transpiled };
}

/**
 * Entries this process has loaded, by directory. A host starting the same code again (under
 * another signature) then reads nothing: its metadata reads waited 20–30 ms now and then behind
 * the thread pool's other work, in a start of 10 ms.
 */
const loadedHere = new Map<string, Promise<LoadedComponent>>();
const transpilingHere = new Map<string, Promise<void>>();
/** Each transpile of this process stages in a folder of its own, even two of one entry at once. */
let nextStaging = 0;

export interface LoadOptions {
  /** Modules compiled elsewhere (by `compileCoreModules`), so that every worker shares one compile. */
  readonly modules?: Readonly<Record<string, WebAssembly.Module>>;
}

/** Compiles every core module of a transpiled component once, with its memory limit written in. */
export async function compileCoreModules(dir: string, maxMemoryPages?: number): Promise<Record<string, WebAssembly.Module>> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.wasm'));
  const compiled = await Promise.all(
    files.map(async (name) => {
      const code = await readFile(join(dir, name));
      return [name, await WebAssembly.compile(maxMemoryPages === undefined ? code : limitMemory(code, maxMemoryPages))] as const;
    }),
  );
  return Object.fromEntries(compiled);
}

/** Loads what `transpileCached` wrote, as an actor's worker does: no transpiling, ever. */
export async function loadTranspiled(dir: string, options: LoadOptions = {}): Promise<LoadedComponent> {
  const metadata = await readMetadata(dir);
  if (!metadata) throw new Error(`${dir} holds no transpiled component`);
  const bindings = (await import(pathToFileURL(join(dir, ENTRY)).href)) as {
    instantiate: (
      getCoreModule: (path: string) => Promise<WebAssembly.Module>,
      imports: object,
      instantiateCore: (module: WebAssembly.Module, imports?: object) => Promise<CoreInstance>,
    ) => Promise<Record<string, unknown>>;
  };
  // Compile each core module once and reuse the Module for every instance.
  const modules = new Map<string, Promise<WebAssembly.Module>>();
  const coreModule = (path: string) => {
    let module = modules.get(path);
    if (!module) {
      const shared = options.modules?.[path];
      module = shared ? Promise.resolve(shared) : readFile(join(dir, path)).then((code) => WebAssembly.compile(code));
      modules.set(path, module);
    }
    return module;
  };
  return {
    ...metadata,
    dir,
    async instantiate(imports) {
      const memories = new Set<LinearMemory>();
      const instantiateCore = async (module: WebAssembly.Module, coreImports?: object) => {
        const made = await Wasm.instantiate(module, coreImports);
        for (const value of Object.values(made.exports)) if (value instanceof Wasm.Memory) memories.add(value);
        return made;
      };
      const instance = await bindings.instantiate(coreModule, imports, instantiateCore);
      linearMemories.set(instance, { memories: [...memories], initialBytes: bytesOf(memories) });
      return instance;
    },
  };
}

// The lib this project compiles against types WebAssembly's JS API only in part.
interface LinearMemory {
  readonly buffer: ArrayBuffer;
}
interface CoreInstance {
  readonly exports: Record<string, unknown>;
}
const Wasm = WebAssembly as unknown as {
  Memory: new (...args: never[]) => LinearMemory;
  instantiate(module: WebAssembly.Module, imports?: object): Promise<CoreInstance>;
};

/** Each instance's core memories, and their size when it was made. */
const linearMemories = new WeakMap<object, { readonly memories: readonly LinearMemory[]; readonly initialBytes: number }>();

function bytesOf(memories: Iterable<LinearMemory>): number {
  let bytes = 0;
  for (const memory of memories) bytes += memory.buffer.byteLength;
  return bytes;
}

/** An instance's linear memory now and when it was made, in bytes; undefined for one not made by `instantiate`. */
export function linearMemoryOf(instance: object): { readonly initialBytes: number; readonly bytes: number } | undefined {
  const known = linearMemories.get(instance);
  return known && { initialBytes: known.initialBytes, bytes: bytesOf(known.memories) };
}

/** The cache entry's name: the bytes, the options, the code generator's versions and the edits' digest. */
export function cacheKey(bytes: Uint8Array, options: TranspileOptions, generator = generatorVersions(), editsDigest = BINDINGS_EDITS_DIGEST): string {
  return createHash('sha256')
    // The claims live outside the core modules jco writes out: what they sign never changes the output.
    .update(options.codeHash === undefined ? bytes : `code ${options.codeHash}`)
    .update(JSON.stringify({ format: CACHE_FORMAT, generator, edits: editsDigest, asyncImports: [...(options.asyncImports ?? [])].sort(), asyncExports: [...(options.asyncExports ?? [])].sort() }))
    .digest('hex');
}

let generator: Record<string, string> | undefined;

/** The versions of jco and of the jco-transpile it generates bindings with, as installed. */
export function generatorVersions(): Record<string, string> {
  if (!generator) {
    const jcoEntry = createRequire(import.meta.url).resolve('@bytecodealliance/jco');
    const transpileEntry = createRequire(jcoEntry).resolve('@bytecodealliance/jco-transpile');
    generator = { jco: installedVersion(jcoEntry, '@bytecodealliance/jco'), 'jco-transpile': installedVersion(transpileEntry, '@bytecodealliance/jco-transpile') };
  }
  return generator;
}

// Both packages' exports hide their package.json, so it is found by walking up from the entry.
function installedVersion(entry: string, name: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === name && manifest.version) return manifest.version;
    } catch {
      // Not this folder: go on up.
    }
  }
  throw new Error(`cannot find the version of ${name} above ${entry}`);
}

async function readMetadata(dir: string): Promise<ComponentMetadata | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, METADATA), 'utf8')) as ComponentMetadata;
  } catch {
    return undefined;
  }
}

/** A transpile process that has nothing to do for this long ends, and its memory goes with it. */
const TRANSPILER_IDLE_MS = 2000;

interface Transpiler {
  readonly child: ChildProcess;
  readonly pending: Map<number, { resolve: () => void; reject: (error: Error) => void }>;
  idle?: NodeJS.Timeout;
}

let transpiler: Transpiler | undefined;
let nextTranspile = 0;

// Sources run as TypeScript in a checkout and as JavaScript once compiled.
const TRANSPILE_PROCESS = fileURLToPath(new URL(`./transpile-process${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

/**
 * Transpiles in a process of its own: jco's code generator holds 40 MB once loaded and 200 MB
 * more after a 13 MB component, which a host that runs actors never needs again. A worker thread
 * would not do: the memory it frees mostly stays with the process. The process ends once idle.
 */
function transpileInProcess(bytes: Uint8Array, dir: string, options: TranspileOptions): Promise<void> {
  if (!transpiler) {
    const child = spawn(process.execPath, [TRANSPILE_PROCESS], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    const started: Transpiler = { child, pending: new Map() };
    transpiler = started;
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));
    const fail = (error: Error) => {
      if (transpiler === started) transpiler = undefined;
      for (const waiting of started.pending.values()) waiting.reject(error);
      started.pending.clear();
    };
    child.on('message', ({ id, error }: { id: number; error?: string }) => {
      const waiting = started.pending.get(id);
      started.pending.delete(id);
      if (error === undefined) waiting?.resolve();
      else waiting?.reject(new Error(error));
      if (started.pending.size > 0) return;
      child.unref();
      child.channel?.unref();
      started.idle = setTimeout(() => {
        if (transpiler === started) transpiler = undefined;
        child.kill();
      }, TRANSPILER_IDLE_MS).unref();
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`the transpile process ended (${signal ?? `exit ${code}`}) before it answered${stderr ? `: ${stderr.trim()}` : ''}`)));
  }
  const current = transpiler;
  clearTimeout(current.idle);
  current.child.ref();
  current.child.channel?.ref();
  const id = nextTranspile++;
  return new Promise((resolve, reject) => {
    current.pending.set(id, { resolve, reject });
    current.child.send({ id, bytes, dir, options });
  });
}

/** What the transpile process runs: jco's transpile, the repairs, and the metadata, written into `dir`. */
export async function transpileInto(bytes: Uint8Array, dir: string, options: TranspileOptions): Promise<void> {
  const { componentWit, metadataShow, transpile } = await import('@bytecodealliance/jco');
  const jspi = (options.asyncImports?.length ?? 0) + (options.asyncExports?.length ?? 0) > 0;
  const output = await transpile(bytes, {
    name: 'component',
    instantiation: 'async',
    ...(jspi ? { asyncMode: 'jspi' as const, asyncImports: [...(options.asyncImports ?? [])], asyncExports: [...(options.asyncExports ?? [])] } : {}),
  });
  // Write beside the entry and move it into place, so a crash never leaves a half entry that looks whole.
  const staging = `${dir}.${process.pid}.${nextStaging++}.partial`;
  await rm(staging, { recursive: true, force: true });
  let bindingsEdits: readonly BindingsEditReport[] = [];
  for (const [name, content] of Object.entries(output.files)) {
    const path = join(staging, name);
    await mkdir(dirname(path), { recursive: true });
    if (name !== ENTRY) {
      await writeFile(path, content);
      continue;
    }
    const patched = patchGeneratedBindings(Buffer.from(content).toString('utf8'));
    bindingsEdits = patched.edits;
    await writeFile(path, patched.code);
  }
  const producers = JSON.stringify(await metadataShow(bytes));
  const metadata: ComponentMetadata = {
    imports: output.imports,
    importedInterfaces: witImports(await componentWit(bytes)),
    importMembers: importMembersOf(Buffer.from(output.files[ENTRY]!).toString('utf8')),
    exports: output.exports.map(([name]) => name),
    singleRequestInstances: producers.includes('ComponentizeJS'),
    interfaceFunctions: interfaceFunctionsOf(output.files),
    exportedInterfaces: output.exports.filter(([name, kind]) => kind === 'instance' && name.includes(':')).map(([name]) => name.replace(/@.*$/, '')),
    exportedFunctions: output.exports.filter(([, kind]) => kind === 'function').map(([name]) => name),
    coreImports: await coreImportsOf(output.files),
    bindingsEdits,
  };
  await writeFile(join(staging, METADATA), JSON.stringify(metadata));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  await rename(staging, dir);
}

/** What became of one repair to the generated bindings: applied whole, or left out, and why. */
export interface BindingsEditReport {
  readonly name: string;
  readonly applied: boolean;
  readonly reason?: string;
}

/**
 * One repair to jco's generated bindings, found by profiling. It applies whole or not at all: when
 * the code lacks the shape it was written against (another jco), it says why and the bindings keep
 * jco's own code there, slower but correct.
 */
interface BindingsEdit {
  readonly name: string;
  /** Every text and pattern it looks for, so that changing one changes the cache key. */
  readonly anchors: readonly (string | RegExp)[];
  apply(generated: string): string | { readonly skipped: string };
}

const DEBUG_LOG = /const _debugLog = \(\.\.\.args\) => \{[\s\S]*?\n\s*\};/;
const CREATED_REPS_ADD = 'table._createdReps.add(rep);';
// Anything but `.add(` on the Set: a reader, whose answers would change if nothing were added.
const CREATED_REPS_READER = /_createdReps\.(?!add\()/;
const TRAMPOLINE = /(?=\n {2}const _trampoline\d+ = function)/;
const SYNC_TASK_SETUP = /const hostProvided = true;(?:(?!\n {2}const _trampoline)[\s\S])*?const started = task\.enterSync\(\);/;
const LOWER_IMPORT = 'function _lowerImportBackwardsCompat(args) {\n    const params = [...arguments].slice(1);';
const WITH_TASK_META = 'function _withGlobalCurrentTaskMeta(args) {\n';
const HANDLE_FLAG = 'const T_FLAG = 1 << 30;';
/** The task a synchronous export makes for each call: up to where the guest may run. */
const SYNC_EXPORT_TASK_SETUP =
  /const \[task, _wasm_call_currentTaskID\] = createNewCurrentTask\(\{\n\s+componentIdx: \d+,\n\s+isAsync: false,\n\s+isManualAsync: false,\n(?:(?!\}\);)[\s\S])*?callingWasmExport: true,\n\s+\}\);\n\s+task\.setCalleeIsAsync\(false\);\n\s+const started = task\.enterSync\(\);\n\s+CURRENT_TASK_MAY_BLOCK\.value = task\.mayBlock\(\) \? 1 : 0;/;
/** Up to the next top-level declaration of the bindings: the rest of one export's function. */
const REST_OF_FUNCTION = /\n {2}(?:async )?function |\n {2}let |\n {2}const /;
/** What a synchronous export may ask of its task and still have the task that does nothing. */
const TASK_CALL_OUTSIDE_STUB = /task\.(?!(?:id|componentIdx|resolve|exit|reject|setErrored|isResolvedState|isExited|setReturnMemoryIdx|setReturnMemory)\()/;
// Resources lent to the guest, and the names the setup made, need jco's own task.
const RESOURCE_SCOPE = /resourceScopeId|addResourceLender|addBorrowedHandle|\bstarted\b|_wasm_call_currentTaskID/;
const SYNC_HOST_SHORTCUT = 'if (args.taskID === BADGER_SYNC_HOST_TASK.id()) return args.fn();';
const BEFORE_SYNC_EXPORT_TASK_SETUP = new RegExp(`(?=${SYNC_EXPORT_TASK_SETUP.source})`);
const AT_SYNC_EXPORT_TASK_SETUP = new RegExp(`^${SYNC_EXPORT_TASK_SETUP.source}`);

const CONSOLE_BEFORE_THROW = /\n[ \t]*console\.error\("ERROR:", err\.toString\(\)\);/g;
/** A list of bytes lifted from guest memory: a copy made by slicing the memory's whole ArrayBuffer. */
const BYTE_LIST_COPY = /new (Uint8Array|Int8Array)\((memory\d+)\.buffer\.slice\((\w+), \3 \+ (\w+) \* 1\)\)/g;

/**
 * Where a synchronous call of a suspending import (a pollable's block, a blocking read) is settled:
 * its subtask drops itself, but its waitable still holds the event of its own resolution, nobody
 * waits on a synchronous call's waitable, so the drop throws every time, and the error is caught.
 */
const SYNC_SUBTASK_DROP = /this\.drop\(\);(?=\s*\}\s*catch \(err\) \{\s*_debugLog\('\[AsyncSubtask#onResolve\(\)\] failed to remove subtask after sync subtask completion', err\);)/;
const SUBTASK_WAITABLE = /class AsyncSubtask \{[\s\S]*?#waitable[ ;=]/;

const EDITS: readonly BindingsEdit[] = [
  {
    // `_debugLog` reads `process.env.JCO_DEBUG` on every call into the guest; a no-op halves call latency (DESIGN.md).
    name: 'no-debug-log',
    anchors: [DEBUG_LOG],
    apply: (generated) => (DEBUG_LOG.test(generated) ? generated.replace(DEBUG_LOG, 'const _debugLog = () => {};') : { skipped: 'no _debugLog of the known shape' }),
  },
  {
    // Every resource handle made is added to a per-table Set that nothing prunes: a long-lived
    // instance grows without bound, and the growth costs a third of a small request's time.
    name: 'no-record-of-every-resource',
    anchors: [CREATED_REPS_ADD, CREATED_REPS_READER],
    apply(generated) {
      if (!generated.includes(CREATED_REPS_ADD)) return { skipped: `no ${CREATED_REPS_ADD}` };
      if (CREATED_REPS_READER.test(generated)) return { skipped: 'the bindings read _createdReps, so what is added to it matters' };
      return generated.replaceAll(CREATED_REPS_ADD, '');
    },
  },
  { name: 'direct-sync-host-calls', anchors: [TRAMPOLINE, SYNC_TASK_SETUP, LOWER_IMPORT, WITH_TASK_META, HANDLE_FLAG], apply: withDirectSyncHostCalls },
  {
    name: 'direct-sync-exports',
    anchors: [SYNC_EXPORT_TASK_SETUP, REST_OF_FUNCTION, TASK_CALL_OUTSIDE_STUB, RESOURCE_SCOPE, SYNC_HOST_SHORTCUT, HANDLE_FLAG],
    apply: withDirectSyncExports,
  },
  {
    // An instantiation that fails prints the error to stderr as well as throwing it: the host
    // logs the thrown error as one JSON line, and the raw copy would be a second, unstructured one.
    name: 'no-console-before-throw',
    anchors: [CONSOLE_BEFORE_THROW],
    apply: (generated) => generated.replace(CONSOLE_BEFORE_THROW, ''),
  },
  {
    // A list<u8> argument (a header value, a body chunk, a key-value value) is copied out of guest
    // memory by `memory.buffer.slice(...)`: an ArrayBuffer of its own, allocated outside the heap,
    // which costs 0.9–1.3 µs for 25–64 bytes here. Copying through a view makes the same fresh copy
    // in 0.06–0.2 µs (V8 keeps a small typed array on its heap), and no slower for large lists.
    // A range outside the memory now traps, as the canonical ABI says, where slice() cut it short.
    name: 'byte-lists-copied-through-a-view',
    anchors: [BYTE_LIST_COPY],
    apply: (generated) => generated.replace(BYTE_LIST_COPY, 'new $1($2.buffer, $3, $4).slice()'),
  },
  {
    // That drop's error (a stack trace taken, then dropped) cost 10–15 µs of every suspending
    // call, a quarter of fetch-wat's time in its thread. Skipped when it would throw, the drop
    // leaves things as the thrown error left them; a drop that can succeed still runs.
    name: 'no-failing-drop-of-sync-subtasks',
    anchors: [SYNC_SUBTASK_DROP, SUBTASK_WAITABLE],
    apply(generated) {
      if (!SUBTASK_WAITABLE.test(generated)) return { skipped: 'no AsyncSubtask with a #waitable' };
      if (!SYNC_SUBTASK_DROP.test(generated)) return { skipped: 'no drop of a settled synchronous subtask of the known shape' };
      return generated.replace(SYNC_SUBTASK_DROP, 'if (!this.#waitable?.hasPendingEvent()) this.drop();');
    },
  },
];

/** A digest of the edits (their anchors and their code): a changed edit makes a new cache entry. */
export const BINDINGS_EDITS_DIGEST = createHash('sha256')
  .update(JSON.stringify(EDITS.map((edit) => [edit.name, edit.anchors.map(String), edit.apply.toString()])))
  .digest('hex')
  .slice(0, 16);

/** Applies each repair that fits the generated code, and says which did. */
export function patchGeneratedBindings(generated: string): { readonly code: string; readonly edits: readonly BindingsEditReport[] } {
  let code = generated;
  const edits = EDITS.map((edit): BindingsEditReport => {
    const outcome = edit.apply(code);
    if (typeof outcome !== 'string') return { name: edit.name, applied: false, reason: outcome.skipped };
    code = outcome;
    return { name: edit.name, applied: true };
  });
  return { code, edits };
}

/**
 * jco 1.35 runs every host import through its component-model-async machinery: a task and a
 * subtask, with promises, made and settled for each call, even for a synchronous import of a
 * synchronous guest. For those calls the bookkeeping changes nothing the guest can see, and it
 * costs half of each call (hello-wat: 17 µs a request in-process, 7 µs without). Each synchronous
 * host trampoline here gets a task that does nothing, and is called straight from the guest; the
 * imports that may suspend (JSPI) keep jco's full path.
 */
function withDirectSyncHostCalls(generated: string): string | { readonly skipped: string } {
  const missing = [LOWER_IMPORT, WITH_TASK_META, HANDLE_FLAG].find((anchor) => !generated.includes(anchor));
  if (missing) return { skipped: `no ${JSON.stringify(missing.split('\n')[0])}` };
  let synchronous = 0;
  let marked = 0;
  const trampolines = generated.split(TRAMPOLINE).map((part) => {
    const name = /^\n {2}const (_trampoline\d+) = function/.exec(part)?.[1];
    if (!name || part.includes('(async, @ enter)')) return part;
    synchronous++;
    if (!SYNC_TASK_SETUP.test(part)) return part;
    marked++;
    return part
      .replace(SYNC_TASK_SETUP, 'const task = BADGER_SYNC_HOST_TASK;')
      .replace(new RegExp(`(\\n {2}${name}\\.fnName = [^\\n]*)`), `$1\n  ${name}.badgerSyncHost = true;`);
  });
  // A component with no synchronous host import has nothing to repair.
  if (synchronous === 0) return generated;
  if (marked < synchronous) return { skipped: `${synchronous - marked} of ${synchronous} synchronous host trampolines are not of the known shape` };
  return trampolines
    .join('')
    .replace(
      LOWER_IMPORT,
      'function _lowerImportBackwardsCompat(args, ...params) {\n' +
        '    if (args.importFn.badgerSyncHost && !args.isManualAsync && !args.isAsync && !args.funcTypeIsAsync) {\n' +
        '      _checkMayLeave(args.componentIdx);\n' +
        '      return args.importFn(...params);\n' +
        '    }',
    )
    .replace(WITH_TASK_META, `${WITH_TASK_META}      if (args.taskID === BADGER_SYNC_HOST_TASK.id()) return args.fn();\n`)
    .replace(
      HANDLE_FLAG,
      `${HANDLE_FLAG}\n  const BADGER_SYNC_HOST_TASK = { componentIdx: () => -1, id: () => -1, resolve() {}, exit() {}, reject() {}, setErrored() {}, getParentSubtask() {} };`,
    );
}

/**
 * Likewise for the guest's synchronous exports: jco makes a task for each call (an object with a
 * dozen fields, three promises, entries in two maps and two arrays, an exclusive lock), which
 * only async calls and lent resources use. A synchronous export that lends no resource and asks
 * its task for nothing but its id and its end gets a task that does nothing: hello-wat, called in
 * a loop in-process, makes 17–24 % more calls a second (paired, in one process). The guest cannot
 * suspend inside a synchronous export, and the host never enters an instance twice at once
 * (actor-worker.ts runs one call at a time), which is what the task's lock checked. An import
 * called from it that is not a synchronous host import makes its own task, as jco does when
 * none is current.
 */
function withDirectSyncExports(generated: string): string | { readonly skipped: string } {
  if (!generated.includes(SYNC_HOST_SHORTCUT)) return { skipped: 'the direct calls of synchronous host imports were not applied' };
  const pieces = generated.split(BEFORE_SYNC_EXPORT_TASK_SETUP);
  // A component with no synchronous export has nothing to repair.
  if (pieces.length === 1) return generated;
  let kept = 0;
  const edited = pieces.map((piece, index) => {
    if (index === 0) return piece;
    const setup = AT_SYNC_EXPORT_TASK_SETUP.exec(piece)![0];
    const after = piece.slice(setup.length);
    const end = REST_OF_FUNCTION.exec(after)?.index ?? after.length;
    const body = after.slice(0, end);
    if (TASK_CALL_OUTSIDE_STUB.test(body) || RESOURCE_SCOPE.test(body)) {
      kept++;
      return piece;
    }
    return `const task = BADGER_SYNC_EXPORT_TASK;\n    CURRENT_TASK_MAY_BLOCK.value = 0;${after}`;
  });
  if (kept === pieces.length - 1) return { skipped: `each of the ${kept} synchronous exports asks its task for more than its end, or lends a resource` };
  return edited
    .join('')
    .replace(
      HANDLE_FLAG,
      `${HANDLE_FLAG}\n  const BADGER_SYNC_EXPORT_TASK = { componentIdx: () => -1, id: () => -1, resolve() {}, exit() {}, reject() {}, setErrored() {}, isResolvedState: () => true, isExited: () => true, setReturnMemoryIdx() {}, setReturnMemory() {} };`,
    );
}

async function coreImportsOf(files: Record<string, Uint8Array>): Promise<string[]> {
  const names = new Set<string>();
  for (const [name, content] of Object.entries(files)) {
    if (!name.endsWith('.wasm')) continue;
    for (const entry of WebAssembly.Module.imports(await WebAssembly.compile(content))) {
      if (entry.kind === 'function' && entry.module.includes(':')) names.add(`${entry.module.replace(/@.*$/, '')}#${entry.name}`);
    }
  }
  return [...names].sort();
}

/** The versioned `import ns:pkg/iface@v;` names of the world that jco prints for a component. */
export function witImports(witText: string): string[] {
  // A bare function import (`import name: func(...)`) is kept by its name: nothing serves one, and the check says so.
  return [...new Set([...witText.matchAll(/^\s*import\s+(?:([a-z0-9-]+:[a-z0-9-]+\/[a-z0-9-]+(?:@[^;\s]+)?)\s*;|([a-z0-9-]+)\s*:)/gm)].map((match) => match[1] ?? match[2]!))];
}

/** What the generated bindings destructure from each imported interface: `const { A, b: b$1 } = imports['x'];`. */
export function importMembersOf(bindings: string): Record<string, string[]> {
  const members: Record<string, string[]> = {};
  for (const [, names, iface] of bindings.matchAll(/const \{([^}]*)\} = imports\['([^']+)'\];/g)) {
    const taken = names!.split(',').map((name) => name.split(':')[0]!.trim()).filter(Boolean);
    members[iface!] = [...new Set([...(members[iface!] ?? []), ...taken])];
  }
  return members;
}

/** Reads the function names of each interface from the declarations jco generates. */
function interfaceFunctionsOf(files: Record<string, Uint8Array>): Record<string, string[]> {
  const functions: Record<string, string[]> = {};
  for (const [name, content] of Object.entries(files)) {
    if (!name.startsWith('interfaces/') || !name.endsWith('.d.ts')) continue;
    const text = Buffer.from(content).toString('utf8');
    const iface = /@module Interface ([^\s@*]+)/.exec(text)?.[1];
    if (iface) functions[iface] = [...text.matchAll(/^export function (\w+)\(/gm)].map((match) => match[1]!);
  }
  return functions;
}
