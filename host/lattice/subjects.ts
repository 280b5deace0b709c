/**
 * NATS subjects of a lattice, modelled on wasmCloud's (`wasmbus.ctl.v1.<lattice>.…`) under our own
 * prefix, since wire compatibility with wash is not a goal yet. Pure.
 */
import { LatticeError } from '../errors.ts';
import { isServiceName } from '../provider.ts';

export const SUBJECT_PREFIX = 'badger';
export const CONTROL_VERSION = 'v1';
export const DEFAULT_LATTICE = 'default';

const LATTICE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
// A subject token may hold anything but whitespace, the separator and the wildcards.
const TOKEN = /^[^\s.*>]+$/;

export function checkLatticeName(lattice: string): string {
  if (!LATTICE_NAME.test(lattice)) throw new LatticeError('LATTICE_BAD_NAME', `lattice name "${lattice}" must be 1 to 64 letters, digits, _ or -`);
  return lattice;
}

function token(value: string, what: string): string {
  if (!TOKEN.test(value)) throw new LatticeError('LATTICE_BAD_NAME', `${what} "${value}" cannot be a NATS subject token (no spaces, dots, * or >)`);
  return value;
}

/** A control operation, to every host, or to one host when `hostId` is given. */
export function controlSubject(lattice: string, operation: string, hostId?: string): string {
  const base = `${SUBJECT_PREFIX}.ctl.${CONTROL_VERSION}.${checkLatticeName(lattice)}.${token(operation, 'operation')}`;
  return hostId === undefined ? base : `${base}.${token(hostId, 'host id')}`;
}

/** Everything a host answers on: every operation, to all hosts or to itself. */
export function controlSubscriptions(lattice: string, hostId: string): string[] {
  const base = `${SUBJECT_PREFIX}.ctl.${CONTROL_VERSION}.${checkLatticeName(lattice)}`;
  return [`${base}.*`, `${base}.*.${token(hostId, 'host id')}`];
}

export function eventSubject(lattice: string, type: string): string {
  return `${SUBJECT_PREFIX}.evt.${checkLatticeName(lattice)}.${token(type, 'event type')}`;
}

/** Every event of a lattice, for tailing. */
export function allEventsSubject(lattice: string): string {
  return `${SUBJECT_PREFIX}.evt.${checkLatticeName(lattice)}.*`;
}

/** Calls to one provider's interface: its instances share a queue group on this subject. */
export function rpcSubject(lattice: string, providerId: string, iface: string): string {
  return `${SUBJECT_PREFIX}.rpc.${checkLatticeName(lattice)}.${token(providerId, 'provider id')}.${token(iface, 'interface')}`;
}

export function checkServiceName(service: string): string {
  if (service !== 'health' && !isServiceName(service)) throw new LatticeError('LATTICE_BAD_NAME', `"${service}" is not a service name: a lowercase letter, then up to 31 lowercase letters, digits or -`);
  return service;
}

/**
 * A service a link target answers beside its interfaces: its health, and a provider's named
 * services (a display's snapshot). Interfaces hold ':' and '/', so no interface is named like one.
 */
export function serviceSubject(lattice: string, targetId: string, service: string): string {
  return `${SUBJECT_PREFIX}.rpc.${checkLatticeName(lattice)}.${token(targetId, 'link target')}.${checkServiceName(service)}`;
}

/**
 * Why an actor may not use `subject` (publish to it, or subscribe with it as a pattern), or
 * undefined (pure). The lattice's own subjects carry its control, events and RPC; the server's `$`
 * subjects are its JetStream and system APIs, through which an actor could read or delete every
 * bucket. A pattern whose first token is a wildcard, or `_INBOX`, would take in those subjects or
 * other clients' replies.
 */
export function reservedSubjectReason(subject: string, asPattern: boolean): string | undefined {
  const first = subject.split('.', 1)[0]!;
  if (first === SUBJECT_PREFIX) return `${SUBJECT_PREFIX}.> carries the lattice's own control, events and RPC`;
  if (first.startsWith('$')) return `${first} is the NATS server's own API (JetStream, system)`;
  if (asPattern && (first === '*' || first === '>')) return 'a subscription must name its first token: a wildcard there takes in the lattice\'s own subjects';
  if (asPattern && first === '_INBOX') return "_INBOX carries other clients' replies";
  return undefined;
}
