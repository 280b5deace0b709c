import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { NatsConnection } from 'nats';
import { authenticatorFor, connectLattice, type LatticeCredentials } from '../host/lattice/index.ts';
import { CliError } from './errors.ts';

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
