import { LineCounter, parseDocument, type Document } from 'yaml';

/**
 * Application manifests, in the shape of wadm's (OAM): components with traits. Reading one is pure:
 * text in, either the application or every problem with its line and column.
 */

export const PROVIDER_KINDS = ['keyvalue', 'http-server', 'oled-display'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Where a component runs: spread over label sets by weight, or on every host that matches. */
export type Placement =
  | { readonly type: 'spread'; readonly instances: number; readonly spread: readonly SpreadTarget[] }
  | { readonly type: 'daemon'; readonly instances: number; readonly spread: readonly SpreadTarget[] };

export interface SpreadTarget {
  readonly name: string;
  /** Labels a host must have, all of them. */
  readonly requirements: Readonly<Record<string, string>>;
  readonly weight: number;
}

export type ComponentSpec =
  | { readonly kind: 'actor'; readonly name: string; readonly image: string; readonly config: Readonly<Record<string, string>>; readonly placement: Placement }
  | { readonly kind: 'provider'; readonly name: string; readonly providerKind: ProviderKind; readonly placement: Placement };

/** A link the application wants: from an actor component to a provider or actor component. */
export interface LinkSpec {
  readonly source: string;
  readonly target: string;
  readonly interface: string;
  readonly name: string;
  readonly config: Readonly<Record<string, string>>;
}

export interface AppSpec {
  readonly name: string;
  readonly version: string;
  readonly components: readonly ComponentSpec[];
  readonly links: readonly LinkSpec[];
}

export interface ManifestProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type ManifestReading = { readonly ok: true; readonly app: AppSpec } | { readonly ok: false; readonly problems: readonly ManifestProblem[] };

const APP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const COMPONENT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ANYWHERE: SpreadTarget = { name: 'anywhere', requirements: {}, weight: 100 };

type Path = readonly (string | number)[];

/** Reads a manifest; every problem found is reported, not only the first. */
export function readManifest(text: string): ManifestReading {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: ManifestProblem[] = [];
  for (const error of document.errors) {
    const { line, col } = lines.linePos(error.pos[0]);
    problems.push({ line, column: col, message: error.message.split('\n')[0]! });
  }
  if (problems.length > 0) return { ok: false, problems };
  const checker = new Checker(document, lines);
  const app = checker.application(document.toJS() as unknown);
  const found = [...checker.problems].sort((a, b) => a.line - b.line || a.column - b.column);
  return found.length > 0 || !app ? { ok: false, problems: found } : { ok: true, app };
}

/** Walks the parsed manifest, collecting problems at the position of the node each one is about. */
class Checker {
  readonly problems: ManifestProblem[] = [];
  readonly #document: Document;
  readonly #lines: LineCounter;

  constructor(document: Document, lines: LineCounter) {
    this.#document = document;
    this.#lines = lines;
  }

  problem(path: Path, message: string): undefined {
    // The deepest node that exists: a missing key is reported where its parent is.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.#document.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) {
        const { line, col } = this.#lines.linePos(node.range[0]);
        this.problems.push({ line, column: col, message });
        return undefined;
      }
    }
    this.problems.push({ line: 1, column: 1, message });
    return undefined;
  }

  application(root: unknown): AppSpec | undefined {
    if (!isRecord(root)) return this.problem([], 'a manifest is a YAML mapping with apiVersion, kind, metadata and spec');
    if (root.kind !== 'Application') this.problem(['kind'], `kind must be Application, not ${JSON.stringify(root.kind ?? null)}`);
    if (typeof root.apiVersion !== 'string') this.problem(['apiVersion'], 'apiVersion is missing (core.oam.dev/v1beta1)');
    const metadata = isRecord(root.metadata) ? root.metadata : (this.problem(['metadata'], 'metadata with a name is missing') ?? {});
    const name = typeof metadata.name === 'string' && APP_NAME.test(metadata.name) ? metadata.name : this.problem(['metadata', 'name'], 'metadata.name must be 1 to 63 lowercase letters, digits or -');
    const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
    const version = typeof annotations.version === 'string' ? annotations.version : 'unversioned';
    const spec = isRecord(root.spec) ? root.spec : (this.problem(['spec'], 'spec with components is missing') ?? {});
    const raw = Array.isArray(spec.components) ? spec.components : (this.problem(['spec', 'components'], 'spec.components must be a list') ?? []);
    if (Array.isArray(spec.components) && raw.length === 0) this.problem(['spec', 'components'], 'spec.components is empty');

    const names = new Map<string, 'actor' | 'provider'>();
    raw.forEach((component, index) => {
      if (!isRecord(component) || typeof component.name !== 'string') return;
      if (names.has(component.name)) this.problem(['spec', 'components', index, 'name'], `two components are named ${component.name}`);
      names.set(component.name, component.type === 'capability' ? 'provider' : 'actor');
    });
    const components: ComponentSpec[] = [];
    const links: LinkSpec[] = [];
    raw.forEach((component, index) => {
      const read = this.component(component, ['spec', 'components', index], names, links);
      if (read) components.push(read);
    });
    if (!name || this.problems.length > 0) return undefined;
    return { name, version, components, links };
  }

  component(raw: unknown, path: Path, names: ReadonlyMap<string, 'actor' | 'provider'>, links: LinkSpec[]): ComponentSpec | undefined {
    if (!isRecord(raw)) return this.problem(path, 'a component is a mapping with name, type and properties');
    const name = typeof raw.name === 'string' && COMPONENT_NAME.test(raw.name) ? raw.name : this.problem([...path, 'name'], 'a component needs a name: letters, digits, _ or -');
    const type = raw.type;
    if (type !== 'component' && type !== 'actor' && type !== 'capability') {
      return this.problem([...path, 'type'], `type must be component (an actor) or capability (a provider), not ${JSON.stringify(type ?? null)}`);
    }
    const properties = isRecord(raw.properties) ? raw.properties : (this.problem([...path, 'properties'], 'properties are missing') ?? {});
    const traits = raw.traits === undefined ? [] : Array.isArray(raw.traits) ? raw.traits : (this.problem([...path, 'traits'], 'traits must be a list') ?? []);
    let placement: Placement | undefined;
    traits.forEach((trait, index) => {
      const at = [...path, 'traits', index];
      if (!isRecord(trait)) return this.problem(at, 'a trait is a mapping with type and properties');
      const props = isRecord(trait.properties) ? trait.properties : (this.problem([...at, 'properties'], 'the trait has no properties') ?? {});
      switch (trait.type) {
        case 'spreadscaler':
        case 'daemonscaler':
          if (placement) return this.problem([...at, 'type'], 'a component takes one scaler');
          placement = this.scaler(trait.type === 'spreadscaler' ? 'spread' : 'daemon', props, [...at, 'properties']);
          return undefined;
        case 'link':
          if (type === 'capability') return this.problem([...at, 'type'], 'links go from an actor component; put this one on the actor');
          if (name) links.push(...this.links(name, props, [...at, 'properties'], names));
          return undefined;
        default:
          return this.problem([...at, 'type'], `unknown trait ${JSON.stringify(trait.type ?? null)}: spreadscaler, daemonscaler or link`);
      }
    });
    placement ??= { type: 'spread', instances: 1, spread: [ANYWHERE] };
    if (!name) return undefined;
    if (type === 'capability') {
      const kind = properties.kind;
      if (!PROVIDER_KINDS.includes(kind as ProviderKind)) return this.problem([...path, 'properties', 'kind'], `a capability's kind is one of ${PROVIDER_KINDS.join(', ')}`);
      return { kind: 'provider', name, providerKind: kind as ProviderKind, placement };
    }
    const image = typeof properties.image === 'string' && properties.image !== '' ? properties.image : this.problem([...path, 'properties', 'image'], 'an actor component needs properties.image: a path or URL of a signed .wasm, or a reference (oci://…, lattice://name:version)');
    const config = this.stringMap(properties.config, [...path, 'properties', 'config']);
    return image && config ? { kind: 'actor', name, image, config, placement } : undefined;
  }

  scaler(type: 'spread' | 'daemon', props: Record<string, unknown>, path: Path): Placement | undefined {
    const instances = props.instances ?? 1;
    if (!Number.isSafeInteger(instances) || (instances as number) < 1) return this.problem([...path, 'instances'], 'instances must be a whole number from 1');
    const raw = props.spread === undefined ? [] : Array.isArray(props.spread) ? props.spread : (this.problem([...path, 'spread'], 'spread must be a list') ?? []);
    const spread: SpreadTarget[] = [];
    raw.forEach((entry, index) => {
      const at = [...path, 'spread', index];
      if (!isRecord(entry)) return this.problem(at, 'a spread entry is a mapping with requirements and weight');
      const requirements = this.stringMap(entry.requirements, [...at, 'requirements']);
      const weight = entry.weight ?? 100;
      if (!Number.isSafeInteger(weight) || (weight as number) < 1) return this.problem([...at, 'weight'], 'weight must be a whole number from 1');
      if (requirements) spread.push({ name: typeof entry.name === 'string' ? entry.name : `spread-${index}`, requirements, weight: weight as number });
      return undefined;
    });
    return { type, instances: instances as number, spread: spread.length > 0 ? spread : [ANYWHERE] };
  }

  links(source: string, props: Record<string, unknown>, path: Path, names: ReadonlyMap<string, 'actor' | 'provider'>): LinkSpec[] {
    const target = typeof props.target === 'string' ? props.target : isRecord(props.target) && typeof props.target.name === 'string' ? props.target.name : undefined;
    if (!target) return this.problem([...path, 'target'], 'a link names its target component') ?? [];
    if (!names.has(target)) return this.problem([...path, 'target'], `no component named ${target} in this manifest`) ?? [];
    const namespace = typeof props.namespace === 'string' ? props.namespace : this.problem([...path, 'namespace'], 'a link needs the WIT namespace, such as wasi');
    const pkg = typeof props.package === 'string' ? props.package : this.problem([...path, 'package'], 'a link needs the WIT package, such as keyvalue');
    const interfaces = Array.isArray(props.interfaces) && props.interfaces.length > 0 && props.interfaces.every((item) => typeof item === 'string') ? (props.interfaces as string[]) : this.problem([...path, 'interfaces'], 'a link needs a list of interfaces, such as [store, atomics]');
    const name = props.name === undefined ? 'default' : typeof props.name === 'string' ? props.name : this.problem([...path, 'name'], 'the link name must be a string');
    const config = this.stringMap(props.config, [...path, 'config']);
    if (!namespace || !pkg || !interfaces || !name || !config) return [];
    return interfaces.map((iface) => ({ source, target, interface: `${namespace}:${pkg}/${iface}`, name, config }));
  }

  /** A mapping of scalar values, as strings; absent is empty. */
  stringMap(raw: unknown, path: Path): Record<string, string> | undefined {
    if (raw === undefined || raw === null) return {};
    if (!isRecord(raw)) return this.problem(path, 'must be a mapping of key: value');
    const entries = Object.entries(raw);
    for (const [key, value] of entries) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return this.problem([...path, key], `${key} must be a string, number or boolean`);
    }
    return Object.fromEntries(entries.map(([key, value]) => [key, String(value)]));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
