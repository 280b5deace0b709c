/** An actor's use of a WIT interface, resolved to whatever serves it. */
export interface Link {
  /** The actor that imports the interface (its component key). */
  readonly source: string;
  /** Unversioned WIT interface, such as `wasi:keyvalue/store`. */
  readonly interface: string;
  readonly name: string;
  /** A provider instance id or an actor's component key. */
  readonly target: string;
  /** Given to the target with each call; for keyvalue, for example, which bucket "default" means. */
  readonly config: Readonly<Record<string, string>>;
}

export const DEFAULT_LINK_NAME = 'default';

/** One key per (source, interface, link name): what identifies a link. */
export function linkKey(link: Pick<Link, 'source' | 'interface' | 'name'>): string {
  return keyOf(link.source, link.interface, link.name);
}

function keyOf(source: string, iface: string, name: string): string {
  return `${source}\u0000${iface}\u0000${name}`;
}

/** The routing table: one target per (source, interface, link name). Pure data, no I/O. */
export class LinkTable {
  readonly #links = new Map<string, Link>();
  readonly #changed: () => void;

  /** `changed` is told of every put and delete (after the table changed). */
  constructor(changed: () => void = () => {}) {
    this.#changed = changed;
  }

  /** Adds or replaces a link; returns the one it replaced. */
  put(link: Link): Link | undefined {
    const key = keyOf(link.source, link.interface, link.name);
    const previous = this.#links.get(key);
    this.#links.set(key, link);
    this.#changed();
    return previous;
  }

  delete(source: string, iface: string, name = DEFAULT_LINK_NAME): Link | undefined {
    const key = keyOf(source, iface, name);
    const previous = this.#links.get(key);
    if (this.#links.delete(key)) this.#changed();
    return previous;
  }

  resolve(source: string, iface: string, name = DEFAULT_LINK_NAME): Link | undefined {
    return this.#links.get(keyOf(source, iface, name));
  }

  query(filter: { source?: string; target?: string; interface?: string } = {}): Link[] {
    return [...this.#links.values()].filter(
      (link) =>
        (filter.source === undefined || link.source === filter.source) &&
        (filter.target === undefined || link.target === filter.target) &&
        (filter.interface === undefined || link.interface === filter.interface),
    );
  }
}
