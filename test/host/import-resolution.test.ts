import { describe, expect, it } from 'vitest';
import { AMBIENT_PACKAGES, Capabilities, importRefusal, isAmbientInterface, resolveImports, versionFits } from '../../host/index.ts';
import { filesystemDescriptor } from '../../providers/filesystem/index.ts';
import { keyValueDescriptor } from '../../providers/keyvalue/index.ts';

const served = new Capabilities([keyValueDescriptor, filesystemDescriptor]).served();
const resolve = (imported: string[], allowed: string[] = [], importMembers: Record<string, string[]> = {}) =>
  resolveImports({ importedInterfaces: imported, importMembers }, served, allowed);

describe('import resolution', () => {
  it('serves every WASI 0.2.x version of the ambient packages, mixed in one component', () => {
    const resolutions = resolve(['wasi:http/types@0.2.0', 'wasi:io/streams@0.2.1', 'wasi:cli/environment@0.2.4', 'wasi:clocks/wall-clock@0.2.12', 'wasi:filesystem/preopens@0.2.3']);
    expect(resolutions.map((resolution) => resolution.servedBy)).toEqual(['host', 'host', 'host', 'host', 'host']);
    expect(importRefusal(resolutions)).toBeUndefined();
  });

  it('maps the draft versions wasmCloud components import onto the host\'s logging, config and bus', () => {
    const resolutions = resolve(['wasi:logging/logging@0.1.0-draft', 'wasi:config/store@0.2.0-rc.1', 'wasi:config/runtime@0.2.0-draft', 'wasmcloud:bus/lattice@1.0.0']);
    expect(resolutions.every((resolution) => resolution.servedBy === 'host')).toBe(true);
  });

  it('refuses a version outside the served range, naming the range', () => {
    const refusal = importRefusal(resolve(['wasi:io/streams@0.3.0', 'wasi:cli/stdout@0.2.0-rc-2023-11-10']));
    expect(refusal?.code).toBe('ACTOR_IMPORT_UNSATISFIED');
    expect(refusal?.message).toContain('wasi:io/streams@0.3.0: the host serves wasi:io ^0.2.0, not 0.3.0');
    expect(refusal?.message).toContain('wasi:cli/stdout@0.2.0-rc-2023-11-10: the host serves wasi:cli ^0.2.0');
  });

  it('refuses an interface whose shape the host does not have, naming what is missing', () => {
    const refusal = importRefusal(resolve(['wasi:filesystem/preopens@0.2.10'], [], { 'wasi:filesystem/preopens': ['getCount'] }));
    expect(refusal).toEqual({ code: 'ACTOR_IMPORT_UNSATISFIED', message: expect.stringMatching(/wasi:filesystem\/preopens@0\.2\.10: the host's wasi:filesystem\/preopens has no getCount/) });
    expect(importRefusal(resolve(['wasi:filesystem/types@0.2.0'], [], { 'wasi:filesystem/types': ['Descriptor', 'DirectoryEntryStream', 'filesystemErrorCode'] }))).toBeUndefined();
  });

  it('serves wasi:filesystem from the filesystem provider to an actor that claims the preopens, types and all, and the empty one to the rest', () => {
    const imports = ['wasi:filesystem/preopens@0.2.3', 'wasi:filesystem/types@0.2.3'];
    expect(resolve(imports, ['wasi:filesystem/preopens']).map((resolution) => resolution.servedBy)).toEqual(['provider', 'provider']);
    expect(resolve(imports).map((resolution) => resolution.servedBy)).toEqual(['host', 'host']);
    // The types alone grant nothing: claiming them without the preopens leaves both the host's.
    expect(resolve(imports, ['wasi:filesystem/types']).map((resolution) => resolution.servedBy)).toEqual(['host', 'host']);
  });

  it('routes a claimed provider interface, and denies an unclaimed one with how to claim it', () => {
    expect(resolve(['wasi:keyvalue/store@0.2.0-draft'], ['wasi:keyvalue/store'])).toEqual([{ import: 'wasi:keyvalue/store@0.2.0-draft', servedBy: 'provider', providers: ['keyvalue'] }]);
    const refusal = importRefusal(resolve(['wasi:keyvalue/store@0.2.0-draft']));
    expect(refusal?.code).toBe('POLICY_CAPABILITY_DENIED');
    expect(refusal?.message).toMatch(/--cap wasi:keyvalue\/store.*keyvalue provider/);
    expect(importRefusal(resolve(['wasi:keyvalue/store@0.2.0'], ['wasi:keyvalue/store']))?.message).toContain('the keyvalue provider serves wasi:keyvalue/store 0.2.0-draft, not 0.2.0');
  });

  it('leaves a claimed interface no provider carries to links, and refuses an unclaimed unknown one with the report', () => {
    expect(resolve(['example:greeter/greet@0.1.0'], ['example:greeter/greet'])).toEqual([{ import: 'example:greeter/greet@0.1.0', servedBy: 'link' }]);
    const refusal = importRefusal(resolve(['wasi:foo/bar@0.1.0', 'wasi:io/streams@0.2.0', 'wasi:keyvalue/store@0.2.0-draft']));
    expect(refusal?.code).toBe('ACTOR_IMPORT_UNSATISFIED');
    expect(refusal?.message).toMatch(/^wasi:foo\/bar@0\.1\.0: no provider or host interface serves it: .*--cap wasi:foo\/bar and link it to that actor; wasi:keyvalue\/store@0\.2\.0-draft: its claims do not name it/);
  });

  it('refuses a claimed interface with resources that no provider serves: a link to an actor carries only functions', () => {
    const refusal = importRefusal(resolve(['wasi:blobstore/container@0.2.0-draft'], ['wasi:blobstore/container'], { 'wasi:blobstore/container': ['Container'] }));
    expect(refusal).toEqual({ code: 'ACTOR_IMPORT_UNSATISFIED', message: expect.stringContaining('it has resources (Container), which a link to another actor cannot carry') });
  });

  it('matches versions by semver ranges', () => {
    expect(versionFits('0.2.4', '^0.2.0')).toBe(true);
    expect(versionFits('0.3.0', '^0.2.0')).toBe(false);
    expect(versionFits('0.2.0-draft', '0.2.0-draft')).toBe(true);
    expect(versionFits('not-a-version', '^0.2.0')).toBe(false);
    expect(versionFits(undefined, '^0.2.0')).toBe(true);
  });

  it('gives each ambient interface with every member jco takes from it', () => {
    for (const entry of AMBIENT_PACKAGES) {
      for (const iface of Object.keys(entry.interfaces)) {
        expect(isAmbientInterface(`${entry.package}/${iface}`)).toBe(true);
        expect(served.ambientMembers[`${entry.package}/${iface}`], `${entry.package}/${iface} has no host object`).toBeDefined();
      }
    }
  });
});
