import type { Contract } from './contract.ts';
import { HostError } from './errors.ts';
import type { ServedInterfaces } from './import-resolution.ts';
import { busImports, LinkNameChoice } from './link-names.ts';
import { isServiceName, type Provider, type ProviderDescriptor } from './provider.ts';
import { hostInterfaceMembers } from './wasi/index.ts';

let hostMembers: Record<string, string[]> | undefined;

/** What the host's own objects hold for each interface it serves itself, as jco looks them up. */
function ownInterfaceMembers(): Record<string, string[]> {
  hostMembers ??= {
    ...hostInterfaceMembers(),
    ...Object.fromEntries(Object.entries(busImports(new LinkNameChoice())).map(([iface, members]) => [iface, Object.keys(members)])),
  };
  return hostMembers;
}

/**
 * The capabilities a host can route: the contracts of the descriptors it was given and of the
 * providers it started. An import no contract carries is served actor to actor. Pure: no I/O.
 */
export class Capabilities {
  readonly #contracts = new Map<string, Contract<never>>();
  readonly #descriptors = new Map<string, ProviderDescriptor>();
  /** The provider kinds (or names) that serve each contract. */
  readonly #servers = new Map<Contract<never>, Set<string>>();
  #asyncImports: readonly string[] = [];

  constructor(descriptors: readonly ProviderDescriptor[] = []) {
    for (const descriptor of descriptors) this.addDescriptor(descriptor);
  }

  addDescriptor(descriptor: ProviderDescriptor): void {
    const known = this.#descriptors.get(descriptor.name);
    if (known === descriptor) return;
    if (known) throw new HostError('PROVIDER_CONFLICT', `two provider kinds are named ${descriptor.name}`);
    checkServiceNames(descriptor.name, Object.keys(descriptor.services ?? {}));
    this.#addContracts(descriptor.contracts, descriptor.name);
    this.#descriptors.set(descriptor.name, descriptor);
  }

  /** The contracts a started provider serves, for a host that was not given its descriptor. */
  addProvider(provider: Provider): void {
    checkServiceNames(provider.id, Object.keys(provider.services ?? {}));
    this.#addContracts((provider.serves ?? []).map((served) => served.contract), provider.name);
  }

  /** All or none: every interface is checked before any is taken. */
  #addContracts(contracts: readonly Contract<never>[], server: string): void {
    for (const contract of contracts) {
      for (const iface of contract.interfaces) {
        const known = this.#contracts.get(iface);
        if (known && known !== contract) throw new HostError('PROVIDER_CONFLICT', `${iface} is carried already, by the contract in ${known.module}; ${contract.module} cannot carry it too`);
      }
    }
    for (const contract of contracts) {
      for (const iface of contract.interfaces) this.#contracts.set(iface, contract);
      this.#servers.set(contract, (this.#servers.get(contract) ?? new Set()).add(server));
    }
    // Sorted, so that the same contracts make the same transpile options (and cache key) in any order.
    this.#asyncImports = [...new Set([...this.#contracts.values()].flatMap((known) => known.asyncImports))].sort();
  }

  /** The contract that carries an (unversioned) interface, if any does. */
  contractFor(iface: string): Contract<never> | undefined {
    return this.#contracts.get(iface);
  }

  /** Every contract function: the guest may wait in any of them. */
  get asyncImports(): readonly string[] {
    return this.#asyncImports;
  }

  get descriptors(): readonly ProviderDescriptor[] {
    return [...this.#descriptors.values()];
  }

  /** Who serves what, for checking a component's imports at its start. */
  served(): ServedInterfaces {
    return {
      ambientMembers: ownInterfaceMembers(),
      contract: (iface) => {
        const contract = this.#contracts.get(iface);
        if (!contract) return undefined;
        const members = Object.keys(contract.guestImports(() => undefined)[iface] ?? {});
        return { versions: contract.versions, members, providers: [...(this.#servers.get(contract) ?? [])].sort() };
      },
    };
  }
}

function checkServiceNames(owner: string, names: readonly string[]): void {
  const odd = names.filter((name) => !isServiceName(name));
  if (odd.length > 0) throw new HostError('PROVIDER_CONFLICT', `${owner} names services ${odd.join(', ')}: a service is a lowercase letter then up to 31 lowercase letters, digits or -, and health is the host's`);
}
