// TypeScript's WebAssembly declarations live in lib.dom, which a Node project does not load.
// These are the parts the host and the tests use, as Node 24 provides them.
declare namespace WebAssembly {
  interface Module {}
  interface ModuleImportDescriptor {
    readonly module: string;
    readonly name: string;
    readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  }
  const Module: {
    imports(module: Module): ModuleImportDescriptor[];
  };
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
  function instantiate(module: Module, imports?: Record<string, Record<string, unknown>>): Promise<Instance>;
  /** JSPI: wraps an async host function so the guest suspends while it runs (Node 24). */
  class Suspending {
    constructor(fn: (...args: never[]) => Promise<unknown>);
  }
  function promising(fn: unknown): (...args: unknown[]) => Promise<unknown>;
}
