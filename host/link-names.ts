/**
 * Which link name an actor's calls use, per interface: `default`, unless the actor chose another
 * with `wasmcloud:bus/lattice` `set-link-name`, as wasmCloud components do when one interface is
 * linked twice (a cache and a store of secrets, say). The choice lasts for one invocation: every
 * invocation starts from `default`, as each one does in wasmCloud.
 */
import { DEFAULT_LINK_NAME } from './links.ts';

export const BUS_LATTICE = 'wasmcloud:bus/lattice';

export class LinkNameChoice {
  readonly #chosen = new Map<string, string>();

  /** The link name for a call to `iface` (unversioned), now. */
  current(iface: string): string {
    return this.#chosen.get(iface) ?? DEFAULT_LINK_NAME;
  }

  choose(name: string, interfaces: readonly string[]): void {
    for (const iface of interfaces) {
      if (name === DEFAULT_LINK_NAME) this.#chosen.delete(iface);
      else this.#chosen.set(iface, name);
    }
  }

  reset(): void {
    this.#chosen.clear();
  }
}

/** The guest's `wasmcloud:bus/lattice`, keyed as jco expects (no version), choosing in `choice`. */
export function busImports(choice: LinkNameChoice): Record<string, Record<string, unknown>> {
  class CallTargetInterface {
    readonly name: string;
    constructor(namespace: string, pkg: string, iface: string) {
      this.name = `${namespace}:${pkg}/${iface}`;
    }
  }
  return {
    [BUS_LATTICE]: {
      CallTargetInterface,
      setLinkName: (name: string, interfaces: CallTargetInterface[]) => choice.choose(name, interfaces.map((target) => target.name)),
    },
  };
}
