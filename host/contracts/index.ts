import type { Contract } from './contract.ts';
import { displayContract } from './display.ts';
import { keyValueContract } from './keyvalue.ts';

export { WitError, type Contract, type RoutedCall } from './contract.ts';
export { displayContract, type DisplayColor, type DisplayError, type DisplayHandler } from './display.ts';
export { keyValueContract, type KeyValueError, type KeyValueHandler } from './keyvalue.ts';

/** Every contract the host can route, by the provider field that serves it. */
export const CONTRACTS = { keyvalue: keyValueContract, display: displayContract } as const;
export type ContractName = keyof typeof CONTRACTS;

/** The contract that carries an interface, if any does. */
export function contractFor(iface: string): { name: ContractName; contract: Contract<unknown> } | undefined {
  for (const [name, contract] of Object.entries(CONTRACTS)) {
    if (contract.interfaces.includes(iface)) return { name: name as ContractName, contract: contract as Contract<unknown> };
  }
  return undefined;
}
