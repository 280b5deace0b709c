import { describe, expect, it } from 'vitest';
import { Capabilities, planSuspension, witFunctionName, type ComponentMetadata } from '../../host/index.ts';
import { keyValueDescriptor } from '../../providers/keyvalue/index.ts';

// The host routes wasi:keyvalue once it is given the key-value provider's descriptor.
const contracts = new Capabilities([keyValueDescriptor]);

const base: ComponentMetadata = {
  imports: [],
  importedInterfaces: [],
  importMembers: {},
  exports: [],
  singleRequestInstances: false,
  interfaceFunctions: {},
  exportedInterfaces: [],
  exportedFunctions: [],
  coreImports: ['wasi:io/poll#poll', 'wasi:keyvalue/store#[method]bucket.get'],
};

describe('suspension plan', () => {
  it('needs nothing of its own for an HTTP actor using only contracts', () => {
    const plan = planSuspension({ ...base, exportedInterfaces: ['wasi:http/incoming-handler'] }, ['wasi:keyvalue/store'], contracts);
    expect(plan.needsOwnTranspile).toBe(false);
    expect(plan.actorImports).toEqual({});
    // Routed calls block the thread while the host runs them: only the waiting wasi:io functions suspend.
    expect(plan.asyncImports).toContain('wasi:io/poll#poll');
    expect(plan.asyncImports).not.toContain('wasi:keyvalue/store#[method]bucket.get');
  });

  it('lets every export suspend, and leaves imports served by actors synchronous', () => {
    const plan = planSuspension(
      {
        ...base,
        interfaceFunctions: { 'example:greeter/greet': ['twice', 'shoutLength'], 'example:tools/math': ['addAll'] },
        exportedInterfaces: ['example:tools/math'],
        exportedFunctions: ['runAll'],
      },
      ['example:greeter/greet'],
      contracts,
    );
    expect(plan.needsOwnTranspile).toBe(true);
    expect(plan.actorImports).toEqual({ 'example:greeter/greet': ['twice', 'shoutLength'] });
    expect(plan.asyncImports.some((name) => name.startsWith('example:greeter/greet#'))).toBe(false);
    expect(plan.asyncExports).toEqual(['wasi:http/incoming-handler#handle', 'run-all', 'example:tools/math#add-all']);
  });

  it('leaves out JSPI entirely for a component that calls nothing that can suspend', () => {
    const plan = planSuspension({ ...base, coreImports: ['wasi:http/types#[constructor]fields', 'wasi:io/streams#[method]output-stream.blocking-write-and-flush'] }, [], contracts);
    expect(plan).toEqual({ actorImports: {}, asyncImports: [], asyncExports: [], needsOwnTranspile: true });
  });

  it('turns jco names back into WIT names', () => {
    expect(witFunctionName('getMany')).toBe('get-many');
    expect(witFunctionName('run')).toBe('run');
  });
});
