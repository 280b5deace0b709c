import type { Contract } from './contract.ts';
import type { ComponentMetadata } from './transpile-cache.ts';

/** Exports the host drives, which always may suspend (JSPI). */
export const BASE_ASYNC_EXPORTS: readonly string[] = ['wasi:http/incoming-handler#handle'];
/**
 * The wasi:io functions that wait for bytes or a clock: in an actor's worker, the guest suspends
 * in them while the thread's event loop goes on (receiving the request body, sending the response).
 */
const WAITING_IO_IMPORTS: readonly string[] = [
  'wasi:io/poll#poll',
  'wasi:io/poll#[method]pollable.block',
  'wasi:io/streams#[method]input-stream.blocking-read',
  'wasi:io/streams#[method]input-stream.blocking-skip',
  'wasi:io/streams#[method]output-stream.blocking-flush',
  'wasi:io/streams#[method]output-stream.blocking-splice',
];

/** The contracts a host routes: what `planSuspension` needs of its capabilities. */
export interface KnownContracts {
  contractFor(iface: string): Contract<never> | undefined;
  /** Every contract function, sorted. */
  readonly asyncImports: readonly string[];
}

/** Every contract function (providers may answer later, so the guest waits), and the waiting wasi:io functions. */
export function baseAsyncImports(contracts: KnownContracts): readonly string[] {
  return [...contracts.asyncImports, ...WAITING_IO_IMPORTS];
}

export interface SuspensionPlan {
  /** Routed interfaces no contract carries, served by linked actors, with their functions. */
  readonly actorImports: Readonly<Record<string, readonly string[]>>;
  readonly asyncImports: readonly string[];
  readonly asyncExports: readonly string[];
  /** The base lists do not cover this component: it must be transpiled with these. */
  readonly needsOwnTranspile: boolean;
}

/**
 * Which functions may suspend for this component: the contracts' imports and every export, since
 * any export may reach a suspending import. A component that imports none of them (a WAT handler
 * that writes its answer and returns) is transpiled without JSPI: its calls are plain calls, a
 * few microseconds cheaper. Known only after a first transpile has listed the component's
 * functions.
 */
export function planSuspension(component: ComponentMetadata, routed: readonly string[], contracts: KnownContracts): SuspensionPlan {
  const base = baseAsyncImports(contracts);
  if (!component.coreImports.some((name) => base.includes(name))) {
    return { actorImports: actorImportsOf(component, routed, contracts), asyncImports: [], asyncExports: [], needsOwnTranspile: true };
  }
  const names = (iface: string) => (component.interfaceFunctions[iface] ?? []).map((fn) => `${iface}#${witFunctionName(fn)}`);
  const actorImports = actorImportsOf(component, routed, contracts);
  // Imports served by other actors return synchronously (the worker sleeps while the host runs
  // them), and must not be wrapped for JSPI: a failure is thrown into the guest, which a
  // suspending import cannot do safely.
  const asyncImports = [...base];
  const asyncExports = [
    ...BASE_ASYNC_EXPORTS,
    ...component.exportedFunctions.map(witFunctionName),
    ...component.exportedInterfaces.filter((iface) => !BASE_ASYNC_EXPORTS.some((name) => name.startsWith(`${iface}#`))).flatMap(names),
  ];
  return {
    actorImports,
    asyncImports,
    asyncExports,
    needsOwnTranspile: asyncImports.length > base.length || asyncExports.length > BASE_ASYNC_EXPORTS.length,
  };
}

function actorImportsOf(component: ComponentMetadata, routed: readonly string[], contracts: KnownContracts): Record<string, readonly string[]> {
  return Object.fromEntries(routed.filter((iface) => !contracts.contractFor(iface)).map((iface) => [iface, component.interfaceFunctions[iface] ?? []]));
}

/** jco's camelCase name of a WIT function, back in WIT's kebab-case. */
export function witFunctionName(camelCase: string): string {
  return camelCase.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
