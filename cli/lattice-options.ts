import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { generateKeyPair, publicKeyType, type KeyPair } from '../claims/index.ts';
import { authenticatorFor, connectLattice, issueVoucher, LatticeBus, type LatticeCredentials, type LatticeTrust, type NatsConnection } from '../host/lattice/index.ts';
import { CliError } from './errors.ts';
import { controlSigner } from './host-client.ts';
import { keyFromArgument } from './key-store.ts';
import { collect } from './options.ts';
import { defaultClusterSeed } from './config-file.ts';

export interface CredentialOptions {
  creds?: string;
  nkeySeed?: string;
}

/** Adds --creds and --nkey-seed, for NATS servers that ask who connects. */
export function withCredentialOptions(command: Command): Command {
  return command
    .option('--creds <file>', 'a NATS creds file, for a server that asks for one')
    .option('--nkey-seed <file>', 'a file holding an nkey seed (SU…), for a server that lists nkeys');
}

/** The credentials the options name, read from their files. */
export async function credentialsFrom(options: CredentialOptions): Promise<LatticeCredentials | undefined> {
  if (options.creds && options.nkeySeed) throw new CliError('CLI_BAD_ARGUMENT', 'give --creds or --nkey-seed, not both');
  const read = (path: string, option: string) =>
    readFile(path).catch((error: Error) => {
      throw new CliError('CLI_FILE_UNREADABLE', `${option}: cannot read ${path}: ${error.message}`);
    });
  if (options.creds) return { creds: new Uint8Array(await read(options.creds, '--creds')) };
  if (options.nkeySeed) return { nkeySeed: (await read(options.nkeySeed, '--nkey-seed')).toString('utf8') };
  return undefined;
}

/** The connection options for the credentials the options name. */
export async function connectionAuth(options: CredentialOptions): Promise<ReturnType<typeof authenticatorFor>> {
  return authenticatorFor(await credentialsFrom(options));
}

/**
 * Runs `use` on a connection to the lattice's server, closed afterwards. One attempt at
 * connecting: a command run by hand should say at once that the server is not there.
 */
export async function onceConnected<T>(servers: string, credentials: CredentialOptions, use: (connection: NatsConnection) => Promise<T>): Promise<T> {
  const connection = await connectLattice(servers, { reconnect: false, ...(await connectionAuth(credentials)) });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

/** The lattice as a CLI command sees it: its requests signed with this user's key (`~/.badger/keys/user.nk`). */
export async function operatorBus(connection: NatsConnection, lattice: string): Promise<LatticeBus> {
  return new LatticeBus({ connection, lattice, identity: { role: 'operator', key: await controlSigner() } });
}

/** `onceConnected`, with the connection as a command's signed view of one lattice. */
export async function onceOnLattice<T>(servers: string, lattice: string, credentials: CredentialOptions, use: (bus: LatticeBus) => Promise<T>): Promise<T> {
  return onceConnected(servers, credentials, async (connection) => use(await operatorBus(connection, lattice)));
}

export interface TrustOptions {
  ctlAllow: string[];
  clusterIssuer: string[];
  clusterSeed?: string;
}

/** Adds the options that lock a lattice, for the members that join one (hosts and standalone providers). */
export function withTrustOptions(command: Command): Command {
  return command
    .option('--ctl-allow <public-key>', 'lock the lattice: take control requests only when signed by this nkey (repeatable); badger signs with ~/.badger/keys/user.nk', collect, [])
    .option('--cluster-issuer <public-key>', 'lock the lattice: trust hosts and providers vouched for by this cluster key (C…, repeatable)', collect, [])
    .option('--cluster-seed <seed-or-file>', 'lock the lattice: a cluster key seed (SC…) that vouches for this member, whose public key is trusted too; default: clusterSeed in ~/.badger/config.yaml', defaultClusterSeed());
}

/** How a member takes part in a lattice: whom it trusts, and the voucher for its own key. */
export interface Membership {
  readonly trust: LatticeTrust;
  readonly voucher?: string;
  /** What to tell the user about it (a member that vouches for itself alone, say). */
  readonly notes: readonly string[];
}

/**
 * Reads the trust options for a member with key `member`. A locked lattice needs every member
 * vouched for: with no --cluster-seed, the member vouches for itself with a cluster key made for
 * this run, which no other member trusts, and says so.
 */
export async function membershipFrom(options: TrustOptions, member: KeyPair, lattice: string): Promise<Membership> {
  for (const key of options.ctlAllow) if (!publicKeyType(key)) throw new CliError('CLI_BAD_ARGUMENT', `--ctl-allow: ${key} is not an nkey public key`);
  for (const key of options.clusterIssuer) {
    if (publicKeyType(key) !== 'cluster') throw new CliError('CLI_BAD_ARGUMENT', `--cluster-issuer: ${key} is not a cluster public key (C…); make one with badger keys gen cluster`);
  }
  const seeded = options.clusterSeed ? await keyFromArgument(options.clusterSeed, '--cluster-seed', 'cluster') : undefined;
  const locked = options.ctlAllow.length > 0 || options.clusterIssuer.length > 0 || seeded !== undefined;
  if (!locked) return { trust: { operators: [], clusterIssuers: [] }, notes: [] };
  const issuer = seeded ?? generateKeyPair('cluster');
  const trust = { operators: [...options.ctlAllow], clusterIssuers: [...new Set([...options.clusterIssuer, issuer.publicKey])] };
  const notes = seeded
    ? []
    : [`the lattice is locked, but no --cluster-seed vouches for ${member.publicKey}: it vouches for itself with a cluster key made for this run, which other hosts and providers do not trust`];
  return { trust, voucher: issueVoucher(issuer, member.publicKey, lattice, Math.floor(Date.now() / 1000)), notes };
}

/** Pure: whether a NATS URL names this machine only. */
export function isLoopbackUrl(url: string): boolean {
  return url.split(',').every((one) => {
    const host = /^[a-z+-]+:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(one.trim())?.[1]?.toLowerCase();
    return host === 'localhost' || host === '[::1]' || /^(\[::ffff:)?127\.\d+\.\d+\.\d+\]?$/.test(host ?? '');
  });
}

/** The warning an unlocked lattice beyond loopback deserves. */
export function unlockedWarning(url: string): string {
  return `warning: lattice on ${url} is unlocked: anyone who can connect to this NATS server controls this host (lock it with --cluster-issuer/--cluster-seed or --ctl-allow; see docs/security.md)`;
}
