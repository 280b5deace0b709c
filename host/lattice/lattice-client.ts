import { connect, credsAuthenticator, ErrorCode, nkeyAuthenticator, RequestStrategy, type ConnectionOptions, type NatsConnection, type NatsError } from 'nats';
import type { ControlRequest, ControlResponse } from '../control/index.ts';
import type { KeyPair } from '../../claims/index.ts';
import { LatticeError } from './errors.ts';
import { CONTROL_WIRE_VERSION, signedEnvelope, type ControlEnvelope, type ControlReplyEnvelope, type HostSummary, type LatticeRequest, type ProviderSummary } from './control-wire.ts';
import { controlSubject } from './subjects.ts';

/** How a host or provider proves itself to a NATS server that asks: a creds file, or an nkey seed. */
export type LatticeCredentials = { readonly creds: Uint8Array } | { readonly nkeySeed: string };

/** The connection options for those credentials. */
export function authenticatorFor(credentials: LatticeCredentials | undefined): Partial<ConnectionOptions> {
  if (!credentials) return {};
  if ('creds' in credentials) return { authenticator: credsAuthenticator(credentials.creds) };
  return { authenticator: nkeyAuthenticator(new TextEncoder().encode(credentials.nkeySeed.trim())) };
}

/** Connections whose server link is down right now: calls on them fail at once. */
const down = new WeakSet<NatsConnection>();

/**
 * Connects to a lattice's NATS server, reconnecting for ever after a loss (subscriptions resume by
 * themselves), and keeps track of whether the link is up, so that calls made during an outage fail
 * fast with LATTICE_UNAVAILABLE instead of waiting out their timeout.
 */
export async function connectLattice(servers: string | string[], options: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  const connection = await connect({ servers, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 500, timeout: 3000, ...options }).catch((error: Error) => {
    throw new LatticeError(`cannot reach ${String(servers)}: ${error.message}`);
  });
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') down.add(connection);
      else if (status.type === 'reconnect') down.delete(connection);
    }
  })();
  return connection;
}

/**
 * Sends one control operation to one host (by its `N…` id) or to whichever host answers first,
 * and returns its answer. Fails fast with LATTICE_UNAVAILABLE when no host listens or the lattice
 * is down, rather than waiting out the timeout.
 */
export async function requestLattice(
  connection: NatsConnection,
  lattice: string,
  request: ControlRequest,
  options: { hostId?: string; timeoutMs?: number; signer?: KeyPair } = {},
): Promise<ControlResponse> {
  if (connection.isClosed()) throw new LatticeError('the connection to the lattice is closed');
  if (down.has(connection)) throw new LatticeError(`the lattice ${lattice} is unreachable: the NATS server is down; retrying in the background`);
  try {
    const message = await connection.request(controlSubject(lattice, request.op, options.hostId), JSON.stringify(envelope(request, options.signer)), {
      timeout: options.timeoutMs ?? 5000,
    });
    return (JSON.parse(message.string()) as ControlReplyEnvelope).response;
  } catch (error) {
    const code = (error as NatsError).code;
    if (code === ErrorCode.NoResponders) throw new LatticeError(options.hostId ? `no host ${options.hostId} on lattice ${lattice}` : `no host answers on lattice ${lattice}`);
    if (code === ErrorCode.Timeout) throw new LatticeError(`no answer from lattice ${lattice} within ${options.timeoutMs ?? 5000} ms`);
    if (code === ErrorCode.Disconnect || code === ErrorCode.ConnectionClosed) throw new LatticeError(`the lattice ${lattice} is unreachable: ${(error as Error).message}`);
    throw error;
  }
}

/** Every host of the lattice that answers a ping within `waitMs`. */
export async function discoverHosts(connection: NatsConnection, lattice: string, waitMs = 1000, signer?: KeyPair): Promise<HostSummary[]> {
  return (await collectAnswers<HostSummary>(connection, lattice, { op: 'ping' }, waitMs, signer)).sort((a, b) => a.id.localeCompare(b.id));
}

/** The hosts whose labels hold every constraint, as they answer an auction within `waitMs`. */
export async function auction(connection: NatsConnection, lattice: string, constraints: Readonly<Record<string, string>>, waitMs = 1000, signer?: KeyPair): Promise<HostSummary[]> {
  return (await collectAnswers<HostSummary>(connection, lattice, { op: 'auction', constraints }, waitMs, signer)).sort((a, b) => a.id.localeCompare(b.id));
}

/** Every provider of the lattice, in hosts and standalone, as they answer within `waitMs`. */
export async function discoverProviders(connection: NatsConnection, lattice: string, waitMs = 1000, signer?: KeyPair): Promise<ProviderSummary[]> {
  const answers = await collectAnswers<ProviderSummary[]>(connection, lattice, { op: 'ping-providers' }, waitMs, signer);
  return answers.flat().sort((a, b) => a.id.localeCompare(b.id) || a.runBy.localeCompare(b.runBy));
}

/** Pure: of the hosts that may take an actor, the least loaded (fewest actors), then by id. */
export function pickHost(candidates: readonly HostSummary[]): HostSummary | undefined {
  return [...candidates].sort((a, b) => a.actors.length - b.actors.length || a.id.localeCompare(b.id))[0];
}

/** Signed when the caller has a key: hosts with an allow-list take nothing else. */
function envelope(request: LatticeRequest, signer: KeyPair | undefined): ControlEnvelope {
  return signer ? signedEnvelope(request, signer, Date.now()) : { version: CONTROL_WIRE_VERSION, request };
}

/** The data of every successful answer to a request sent to the whole lattice, within `waitMs`. */
async function collectAnswers<Data>(connection: NatsConnection, lattice: string, request: LatticeRequest, waitMs: number, signer?: KeyPair): Promise<Data[]> {
  const replies = await connection.requestMany(controlSubject(lattice, request.op), JSON.stringify(envelope(request, signer)), {
    strategy: RequestStrategy.Timer,
    maxWait: waitMs,
  });
  const answers: Data[] = [];
  try {
    for await (const reply of replies) {
      try {
        const envelope = JSON.parse(reply.string()) as ControlReplyEnvelope;
        if (envelope.response.ok) answers.push(envelope.response.data as Data);
      } catch {
        // A malformed answer is some other program's: not a host.
      }
    }
  } catch (error) {
    // Nobody listening is an empty lattice, not a failure.
    if ((error as NatsError).code !== ErrorCode.NoResponders) throw error;
  }
  return answers;
}
