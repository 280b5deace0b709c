import type { Capabilities } from './capabilities.ts';
import { resolveImports, type ImportResolution } from './import-resolution.ts';
import { BASE_ASYNC_EXPORTS, baseAsyncImports } from './suspension.ts';
import { transpileCached } from './transpile-cache.ts';

export interface ImportReportOptions {
  /** Where transpiles are cached: the host's own cache makes the report warm the actor's first start. */
  readonly cacheDir: string;
  readonly capabilities: Capabilities;
  /** The capabilities its claims name (and a policy allows). */
  readonly allowed: readonly string[];
}

/**
 * What `start actor` decides about a component's imports, without starting it. The component is
 * transpiled (cached, with the options a host's first transpile uses) to learn what its bindings
 * take from each interface.
 */
export async function importReport(bytes: Uint8Array, options: ImportReportOptions): Promise<ImportResolution[]> {
  const component = await transpileCached(bytes, options.cacheDir, { asyncImports: baseAsyncImports(options.capabilities), asyncExports: BASE_ASYNC_EXPORTS });
  return resolveImports(component, options.capabilities.served(), options.allowed);
}
