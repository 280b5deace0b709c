import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadgerError, ERROR_CODES, HostError, LatticeError, RemoteError, remoteError } from '../../host/index.ts';
import { errorCodesSection, SECTION_END, SECTION_START } from '../../scripts/error-codes-section.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SOURCE_FOLDERS = ['claims', 'host', 'providers', 'toolchain', 'apps', 'cli', 'dashboard'];
// Codes that Node itself raises, which the project reads but never sends.
const NODE_CODES = new Set(['ERR_MODULE_NOT_FOUND']);
// Environment variables the project reads, named in constants: they look like codes but are not.
const ENVIRONMENT_NAMES = new Set(['BADGER_REGISTRY_USER', 'BADGER_REGISTRY_PASSWORD']);

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, folder), { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => join(entry.parentPath, entry.name));
}

describe('the error-code registry', () => {
  it('names every code the source raises or sends', async () => {
    const unregistered = new Map<string, string>();
    for (const folder of SOURCE_FOLDERS) {
      for (const file of await sourceFiles(folder)) {
        for (const [, code] of (await readFile(file, 'utf8')).matchAll(/'([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)'/g)) {
          if (!(code! in ERROR_CODES) && !NODE_CODES.has(code!) && !ENVIRONMENT_NAMES.has(code!)) unregistered.set(code!, file.slice(ROOT.length));
        }
      }
    }
    expect(Object.fromEntries(unregistered), 'add these to host/error-codes.ts, with what they mean').toEqual({});
  });

  it('is the README\'s list of codes', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf(SECTION_START), readme.indexOf(SECTION_END) + SECTION_END.length);
    expect(section, 'the README\'s codes differ from host/error-codes.ts: run npm run docs:error-codes').toBe(errorCodesSection());
  });
});

describe('a coded error', () => {
  it('carries its code, its message and its cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new LatticeError('LATTICE_UNAVAILABLE', 'cannot reach nats://127.0.0.1:4222', { cause });
    expect(error).toBeInstanceOf(BadgerError);
    expect(error).toMatchObject({ name: 'LatticeError', code: 'LATTICE_UNAVAILABLE', message: 'cannot reach nats://127.0.0.1:4222', cause });
    expect(new HostError('ACTOR_NOT_FOUND', 'no actor x').name).toBe('HostError');
  });

  it('from the wire keeps the code it came with, known or not, and never takes a made-up one', () => {
    const known = remoteError({ code: 'ACTOR_BUSY', message: 'all 4 instances are busy' });
    expect(known).toBeInstanceOf(RemoteError);
    expect(known).toMatchObject({ code: 'ACTOR_BUSY', message: 'all 4 instances are busy', known: true });
    expect(remoteError({ code: 'FUTURE_THING', message: 'from a newer host' })).toMatchObject({ code: 'FUTURE_THING', known: false });
    expect(remoteError({ code: 'rm -rf /\n', message: 7 })).toMatchObject({ code: 'HOST_INTERNAL', message: 'no reason given' });
  });
});
