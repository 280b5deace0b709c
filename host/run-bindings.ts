import { BASE_ASYNC_EXPORTS, baseAsyncImports, planSuspension, type KnownContracts } from './suspension.ts';
import { transpileCached, type TranspiledComponent } from './transpile-cache.ts';

/**
 * The bindings the host runs a component with: transpiled with the base lists of functions that
 * may suspend, which fit most components, and again with lists of its own when its functions must
 * suspend too (see planSuspension). Benchmarks build their in-process baselines with it, so that a
 * baseline runs the very bindings the host runs.
 */
export async function transpileToRun(bytes: Uint8Array, cacheDir: string, contracts: KnownContracts, codeHash?: string): Promise<TranspiledComponent> {
  const hash = codeHash ? { codeHash } : {};
  const base = await transpileCached(bytes, cacheDir, { asyncImports: baseAsyncImports(contracts), asyncExports: BASE_ASYNC_EXPORTS, ...hash });
  // Which functions suspend does not depend on where the routed imports go.
  const plan = planSuspension(base, [], contracts);
  if (!plan.needsOwnTranspile) return base;
  return transpileCached(bytes, cacheDir, { asyncImports: plan.asyncImports, asyncExports: plan.asyncExports, ...hash });
}
