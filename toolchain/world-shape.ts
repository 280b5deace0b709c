import { isAmbientInterface } from '../host/index.ts';

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

// Exports the host drives from outside, which an actor must be allowed to offer.
const CLAIMED_EXPORTS = new Set(['wasi:http/incoming-handler']);

/** The capabilities an actor's claims must name: its non-ambient imports and its driven exports. */
export function capabilitiesOf(shape: WorldShape): string[] {
  const imports = shape.imports.filter((name) => !isAmbientInterface(name));
  const exports = shape.exports.filter((name) => CLAIMED_EXPORTS.has(name));
  return [...new Set([...imports, ...exports])].sort();
}

export type EngineFeature = 'stdio' | 'random' | 'clocks' | 'http' | 'fetch-event';

/**
 * The StarlingMonkey features to switch off: each one stays on only when the world asks for the
 * interfaces it needs, so the component imports no WASI the actor did not declare.
 */
export function featuresToDisable(shape: WorldShape): EngineFeature[] {
  const imports = new Set(shape.imports);
  const wants: Record<EngineFeature, boolean> = {
    stdio: imports.has('wasi:cli/stdout') || imports.has('wasi:cli/stderr'),
    random: imports.has('wasi:random/random'),
    clocks: imports.has('wasi:clocks/wall-clock') && imports.has('wasi:clocks/monotonic-clock'),
    http: imports.has('wasi:http/outgoing-handler'),
    'fetch-event': shape.exports.includes('wasi:http/incoming-handler'),
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
  const exportsHandler = /export\s+(const|let|var|function|\{[^}]*)\s*incomingHandler\b/.test(jsSource);
  const listensForFetch = /addEventListener\(\s*['"]fetch['"]/.test(jsSource);
  if (exportsHandler || (listensForFetch && backend === 'starlingmonkey')) return undefined;
  return backend === 'starlingmonkey'
    ? "it must handle HTTP for its world: add addEventListener('fetch', …) or export incomingHandler"
    : 'it must export incomingHandler for its world (the QuickJS backend has no fetch event)';
}
