import { claimServing, isAmbientInterface, isClaimedExport, isServedWhenClaimed } from '../host/index.ts';

/** The interfaces a resolved world (or a built component) imports and exports, without versions. */
export interface WorldShape {
  readonly imports: readonly string[];
  readonly exports: readonly string[];
}

/** Reads the `import x;` / `export x;` lines of the WIT that wasm-tools prints for a component. */
export function worldShapeFromWit(witText: string): WorldShape {
  const names = (keyword: 'import' | 'export') =>
    [...witText.matchAll(new RegExp(`^\\s*${keyword}\\s+([a-z0-9-]+:[a-z0-9-]+/[a-z0-9-]+)(?:@[^;\\s]+)?\\s*;`, 'gm'))].map((match) => match[1]!);
  return { imports: [...new Set(names('import'))], exports: [...new Set(names('export'))] };
}

/**
 * The built component's shape, keeping an import served only when claimed (outgoing HTTP) only
 * if the declared world names it: the JavaScript engine imports wasi:http/outgoing-handler for
 * any actor that handles HTTP, and an actor that never asked to send must not be signed to send.
 */
export function withDeclaredGrants(built: WorldShape, declared: WorldShape): WorldShape {
  return { ...built, imports: built.imports.filter((name) => !isServedWhenClaimed(name) || declared.imports.includes(name)) };
}

/** The capabilities an actor's claims must name: its non-ambient imports and its driven exports. */
export function capabilitiesOf(shape: WorldShape): string[] {
  const imports = shape.imports.filter((name) => !isAmbientInterface(name) || isServedWhenClaimed(name)).map(claimServing);
  const exports = shape.exports.filter(isClaimedExport);
  return [...new Set([...imports, ...exports])].sort();
}

export type EngineFeature = 'stdio' | 'random' | 'clocks' | 'http' | 'fetch-event';

/**
 * Whether JavaScript answers HTTP through the web's fetch event rather than its own
 * `incomingHandler` export. A fetch-event instance serves one request (StarlingMonkey#247); one
 * that exports the handler serves many.
 */
export function usesFetchEvent(jsSource: string): boolean {
  return !exportsIncomingHandler(jsSource) && /addEventListener\(\s*['"]fetch['"]/.test(jsSource);
}

export function exportsIncomingHandler(jsSource: string): boolean {
  return /export\s+(const|let|var|function|\{[^}]*)\s*incomingHandler\b/.test(jsSource);
}

/**
 * The StarlingMonkey features to switch off: each one stays on only when the world asks for the
 * interfaces it needs, so the component imports no WASI the actor did not declare. The fetch
 * event stays on only for source that listens for it: left on, it would take the place of an
 * exported handler.
 */
export function featuresToDisable(shape: WorldShape, fetchEvent = true): EngineFeature[] {
  const imports = new Set(shape.imports);
  const wants: Record<EngineFeature, boolean> = {
    stdio: imports.has('wasi:cli/stdout') || imports.has('wasi:cli/stderr'),
    random: imports.has('wasi:random/random'),
    clocks: imports.has('wasi:clocks/wall-clock') && imports.has('wasi:clocks/monotonic-clock'),
    // An exported handler calls wasi:http/types itself, which the engine's http feature provides.
    http: imports.has('wasi:http/outgoing-handler') || (shape.exports.includes('wasi:http/incoming-handler') && !fetchEvent),
    'fetch-event': shape.exports.includes('wasi:http/incoming-handler') && fetchEvent,
  };
  return (Object.keys(wants) as EngineFeature[]).filter((feature) => !wants[feature]);
}

/**
 * Why JavaScript source cannot fill its world on a backend, or undefined when it can. The checks
 * catch at build time what would otherwise trap at the first request.
 */
export function jsWorldMismatch(jsSource: string, shape: WorldShape, backend: 'starlingmonkey' | 'quickjs'): string | undefined {
  if (backend === 'quickjs') {
    const wasi = shape.imports.filter((name) => name.startsWith('wasi:'));
    if (wasi.length > 0) {
      return `the world imports ${wasi.join(', ')}, which the QuickJS backend cannot call (componentize-qjs replaces WASI imports with traps); use backend = "starlingmonkey"`;
    }
  }
  if (!shape.exports.includes('wasi:http/incoming-handler')) return undefined;
  if (exportsIncomingHandler(jsSource) || (usesFetchEvent(jsSource) && backend === 'starlingmonkey')) return undefined;
  return backend === 'starlingmonkey'
    ? "it must handle HTTP for its world: add addEventListener('fetch', …) or export incomingHandler"
    : 'it must export incomingHandler for its world (the QuickJS backend has no fetch event)';
}
