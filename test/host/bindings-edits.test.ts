import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BINDINGS_EDITS_DIGEST, cacheKey, generatorVersions, patchGeneratedBindings, transpileCached, wasiHttpImports } from '../../host/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { request } from '../actors/http-request.ts';
import { ambientImports } from '../fixtures/instantiate-actor.ts';

const applied = (edits: readonly { name: string; applied: boolean }[]) => Object.fromEntries(edits.map((edit) => [edit.name, edit.applied]));

describe("the repairs to jco's generated bindings", () => {
  it('all fit the code this jco generates, and the repaired bindings serve requests', async () => {
    const component = await transpileCached(new Uint8Array(await readFile(builtActor('hello-wat'))), await mkdtemp(join(tmpdir(), 'badger-edits-')));
    expect(applied(component.bindingsEdits!)).toEqual({ 'no-debug-log': true, 'no-record-of-every-resource': true, 'direct-sync-host-calls': true, 'direct-sync-exports': true, 'no-console-before-throw': true, 'byte-lists-copied-through-a-view': true, 'no-failing-drop-of-sync-subtasks': true });
    const generated = await readFile(join(component.dir, 'component.js'), 'utf8');
    // A failed instantiation throws; it does not also print a raw line.
    expect(generated).toContain("unexpectedly undefined instance import");
    expect(generated).not.toContain('console.error("ERROR:"');
    // Synchronous host imports are marked and called straight from the guest.
    expect(generated).toMatch(/_trampoline\d+\.badgerSyncHost = true;/);
    expect(generated).toContain('if (args.importFn.badgerSyncHost');
    // Its synchronous export makes no task of jco's for each call.
    expect(generated).toContain('const task = BADGER_SYNC_EXPORT_TASK;');
    // A settled synchronous call of a suspending import no longer drops itself only to throw.
    expect(generated).toContain('if (!this.#waitable?.hasPendingEvent()) this.drop();');
    // Its header value and body chunk are copied out of its memory through a view.
    expect(generated).not.toMatch(/memory\d+\.buffer\.slice\(/);
    const response = await request(await component.instantiate({ ...ambientImports(), ...wasiHttpImports() }), 'GET', '/');
    expect(response.text).toBe('Hello from awesome-badger!\n');
  });

  it('each leaves code of another shape as it is, and says why', () => {
    const foreign = 'export async function instantiate() { return {}; }\n';
    const { code, edits } = patchGeneratedBindings(foreign);
    expect(code).toBe(foreign);
    expect(edits).toEqual([
      { name: 'no-debug-log', applied: false, reason: 'no _debugLog of the known shape' },
      { name: 'no-record-of-every-resource', applied: false, reason: 'no table._createdReps.add(rep);' },
      { name: 'direct-sync-host-calls', applied: false, reason: expect.stringMatching(/^no "function _lowerImportBackwardsCompat/) },
      { name: 'direct-sync-exports', applied: false, reason: 'the direct calls of synchronous host imports were not applied' },
      { name: 'no-console-before-throw', applied: true },
      { name: 'byte-lists-copied-through-a-view', applied: true },
      { name: 'no-failing-drop-of-sync-subtasks', applied: false, reason: 'no AsyncSubtask with a #waitable' },
    ]);
  });

  it('skip the drop of a settled synchronous subtask only where it would throw, and only in the shape they know', () => {
    const settled = (handler: string) =>
      `class AsyncSubtask {\n  #waitable = null;\n  onResolve() {\n    try {\n      this.drop();\n    } catch (err) {\n      ${handler}\n    }\n  }\n}\n`;
    const known = settled("_debugLog('[AsyncSubtask#onResolve()] failed to remove subtask after sync subtask completion', err);");
    const patched = patchGeneratedBindings(known);
    expect(applied(patched.edits)['no-failing-drop-of-sync-subtasks']).toBe(true);
    expect(patched.code).toContain('if (!this.#waitable?.hasPendingEvent()) this.drop();');
    // Another handler might rely on the error: left alone, with the reason.
    const other = patchGeneratedBindings(settled('report(err);'));
    expect(other.code).toContain('      this.drop();');
    expect(other.edits.find((edit) => edit.name === 'no-failing-drop-of-sync-subtasks')).toEqual({
      name: 'no-failing-drop-of-sync-subtasks',
      applied: false,
      reason: 'no drop of a settled synchronous subtask of the known shape',
    });
  });

  it('keeps the record of resources where the bindings read it', () => {
    const reading = 'function rscTableCreateOwn(table, rep) {\n  table._createdReps.add(rep);\n}\nif (table._createdReps.has(rep)) drop(rep);\n';
    const { code, edits } = patchGeneratedBindings(reading);
    expect(code).toContain('table._createdReps.add(rep);');
    expect(edits.find((edit) => edit.name === 'no-record-of-every-resource')).toMatchObject({ applied: false, reason: expect.stringMatching(/read _createdReps/) });
    const unread = patchGeneratedBindings('function rscTableCreateOwn(table, rep) {\n  table._createdReps.add(rep);\n}\nhandleTable1._createdReps = new Set();\n');
    expect(unread.code).not.toContain('_createdReps.add(');
  });

  it('give a synchronous export a task that does nothing only when it asks its task for no more than its end', () => {
    const syncExport = (name: string, body: string) =>
      `\n  function ${name}(arg0) {\n    const [task, _wasm_call_currentTaskID] = createNewCurrentTask({\n      componentIdx: 0,\n      isAsync: false,\n      isManualAsync: false,\n      entryFnName: '${name}',\n      callingWasmExport: true,\n    });\n    task.setCalleeIsAsync(false);\n    \n    const started = task.enterSync();\n    CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;\n    ${body}\n    task.resolve([ret]);\n    task.exit();\n  }\n  let ${name}Handle;\n`;
    const prelude = 'const T_FLAG = 1 << 30;\nfunction _withGlobalCurrentTaskMeta(args) {\n      if (args.taskID === BADGER_SYNC_HOST_TASK.id()) return args.fn();\n}\n';
    const plain = syncExport('plain', 'const ret = plainCore(arg0);');
    const asksMore = syncExport('asksMore', 'task.createSubtask({});');
    const lends = syncExport('lends', 'rscTableCreateBorrow(table, rep, task.resourceScopeId());');
    const { code, edits } = patchGeneratedBindings(prelude + plain + asksMore + lends);
    expect(edits.find((edit) => edit.name === 'direct-sync-exports')).toEqual({ name: 'direct-sync-exports', applied: true });
    expect(code).toContain('function plain(arg0) {\n    const task = BADGER_SYNC_EXPORT_TASK;');
    expect(code).toContain(asksMore);
    expect(code).toContain(lends);
    expect(code).toContain('const BADGER_SYNC_EXPORT_TASK = {');

    const noneFit = patchGeneratedBindings(prelude + asksMore + lends);
    expect(noneFit.code).toBe(prelude + asksMore + lends);
    expect(noneFit.edits.find((edit) => edit.name === 'direct-sync-exports')).toMatchObject({ applied: false, reason: expect.stringMatching(/each of the 2 synchronous exports/) });
  });

  it('switch off the debug log only where it has the shape they know', () => {
    const { code, edits } = patchGeneratedBindings('const _debugLog = (...args) => {\n  if (!globalThis?.process?.env?.JCO_DEBUG) { return; }\n  console.debug(...args);\n};\n');
    expect(code).toBe('const _debugLog = () => {};\n');
    expect(edits[0]).toEqual({ name: 'no-debug-log', applied: true });
  });

  it('copy a list of bytes out of guest memory through a view: the same fresh bytes, and a range outside the memory traps', () => {
    const lift = 'var result3 = new Uint8Array(memory0.buffer.slice(ptr3, ptr3 + len3 * 1));';
    const wide = 'var result4 = new Uint16Array(memory0.buffer.slice(ptr4, ptr4 + len4 * 2));';
    const { code } = patchGeneratedBindings(`${lift}\n${wide}\n`);
    expect(code).toBe(`var result3 = new Uint8Array(memory0.buffer, ptr3, len3).slice();\n${wide}\n`);
    const memory0 = { buffer: new ArrayBuffer(65_536) };
    new Uint8Array(memory0.buffer).set([1, 2, 3, 4], 100);
    const run = (ptr3: number, len3: number) => new Function('memory0', 'ptr3', 'len3', `${code.split('\n')[0]} return result3;`)(memory0, ptr3, len3) as Uint8Array;
    const copy = run(101, 2);
    expect([...copy]).toEqual([2, 3]);
    copy[0] = 9;
    expect(new Uint8Array(memory0.buffer)[101]).toBe(2);
    expect(() => run(65_535, 2)).toThrow(RangeError);
  });
});

describe('the transpile cache key', () => {
  it('names the installed jco and jco-transpile versions', () => {
    const manifest = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { version: string };
    const jcoDir = join(createRequire(import.meta.url).resolve('@bytecodealliance/jco'), '..', '..');
    expect(generatorVersions()).toEqual({
      jco: manifest(join(jcoDir, 'package.json')).version,
      'jco-transpile': manifest(join(jcoDir, '..', 'jco-transpile', 'package.json')).version,
    });
  });

  it('changes with the bytes, the generator and the edits', () => {
    const bytes = new Uint8Array([0, 97, 115, 109]);
    const key = cacheKey(bytes, {});
    expect(cacheKey(bytes, {})).toBe(key);
    expect(cacheKey(new Uint8Array([0, 97, 115, 110]), {})).not.toBe(key);
    expect(cacheKey(bytes, {}, { ...generatorVersions(), jco: '9.9.9' })).not.toBe(key);
    expect(cacheKey(bytes, {}, generatorVersions(), `${BINDINGS_EDITS_DIGEST}x`)).not.toBe(key);
    expect(cacheKey(bytes, { asyncImports: ['wasi:io/poll#poll'] })).not.toBe(key);
  });
});
