import type { Contract } from './contract.ts';
import { HostError } from './errors.ts';
import { isServiceName, type Provider, type ProviderDescriptor } from './provider.ts';

/**
 * The capabilities a host can route: the contracts of the descriptors it was given and of the
 * providers it started. An import no contract carries is served actor to actor. Pure: no I/O.
 */
export class Capabilities {
  readonly #contracts = new Map<string, Contract<never>>();
  readonly #descriptors = new Map<string, ProviderDescriptor>();
  #asyncImports: readonly string[] = [];

  constructor(descriptors: readonly ProviderDescriptor[] = []) {
    for (const descriptor of descriptors) this.addDescriptor(descriptor);
  }

  addDescriptor(descriptor: ProviderDescriptor): void {
    const known = this.#descriptors.get(descriptor.name);
    if (known === descriptor) return;
    if (known) throw new HostError('PROVIDER_CONFLICT', `two provider kinds are named ${descriptor.name}`);
    checkServiceNames(descriptor.name, Object.keys(descriptor.services ?? {}));
    this.#addContracts(descriptor.contracts);
    this.#descriptors.set(descriptor.name, descriptor);
  }

  /** The contracts a started provider serves, for a host that was not given its descriptor. */
  addProvider(provider: Provider): void {
    checkServiceNames(provider.id, Object.keys(provider.services ?? {}));
    this.#addContracts((provider.serves ?? []).map((served) => served.contract));
  }

  /** All or none: every interface is checked before any is taken. */
  #addContracts(contracts: readonly Contract<never>[]): void {
    for (const contract of contracts) {
      for (const iface of contract.interfaces) {
        const known = this.#contracts.get(iface);
        if (known && known !== contract) throw new HostError('PROVIDER_CONFLICT', `${iface} is carried already, by the contract in ${known.module}; ${contract.module} cannot carry it too`);
      }
    }
    for (const contract of contracts) for (const iface of contract.interfaces) this.#contracts.set(iface, contract);
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
}

function checkServiceNames(owner: string, names: readonly string[]): void {
  const odd = names.filter((name) => !isServiceName(name));
  if (odd.length > 0) throw new HostError('PROVIDER_CONFLICT', `${owner} names services ${odd.join(', ')}: a service is a lowercase letter then up to 31 lowercase letters, digits or -, and health is the host's`);
}
