import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClaimsError, generateKeyPair, keyPairFromSeed, type KeyPair, type KeyType } from '../claims/index.ts';
import { badgerHome } from '../host/index.ts';
import { CliError } from './errors.ts';
import { configured } from './config-file.ts';

/** `keys` in the badger home: where seeds made on the user's behalf live. */
export function defaultKeyDirectory(): string {
  return configured().config.keys ?? join(badgerHome(), 'keys');
}

/** Writes a seed readable by its owner only, as ssh does with private keys. */
export async function saveSeed(directory: string, fileName: string, pair: KeyPair): Promise<string> {
  const path = join(directory, fileName);
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await writeFile(path, `${pair.seed}\n`, { mode: 0o600, flag: 'wx' });
    // An umask cannot loosen 0600, but a chmod makes the intent explicit on odd file systems.
    await chmod(path, 0o600);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'it already exists; it is not overwritten' : (error as Error).message;
    throw new CliError('CLI_FILE_UNWRITABLE', `cannot save the seed to ${path}: ${reason}`);
  }
  return path;
}

/** The key in a file, or undefined when there is no such file. */
export async function readSeedFile(path: string): Promise<KeyPair | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('CLI_FILE_UNREADABLE', `cannot read the seed file ${path}: ${(error as Error).message}`);
  }
  return keyPairFromSeed(text);
}

/** An option that takes a seed or the path of a file holding one. */
export async function keyFromArgument(value: string, option: string, expected: KeyType): Promise<KeyPair> {
  const trimmed = value.trim();
  let pair: KeyPair | undefined;
  try {
    pair = /^S[A-Z2-7]{57}$/.test(trimmed) ? keyPairFromSeed(trimmed) : await readSeedFile(trimmed);
  } catch (error) {
    if (error instanceof ClaimsError) throw new CliError('CLI_BAD_ARGUMENT', `${option}: ${error.message}`);
    throw error;
  }
  if (!pair) throw new CliError('CLI_BAD_ARGUMENT', `${option}: "${trimmed}" is neither a seed nor a file that exists`);
  if (pair.type !== expected) {
    throw new CliError('CLI_BAD_ARGUMENT', `${option}: that is a ${pair.type} key; a ${expected} key is needed`);
  }
  return pair;
}

/**
 * The key stored under `fileName` in the key directory, made and saved on first use, so that
 * re-signing keeps an actor's identity.
 */
export async function storedOrNewKey(directory: string, fileName: string, type: KeyType): Promise<{ pair: KeyPair; path: string; created: boolean }> {
  const path = join(directory, fileName);
  const existing = await readSeedFile(path);
  if (existing) {
    if (existing.type !== type) {
      throw new CliError('CLI_BAD_ARGUMENT', `${path} holds a ${existing.type} key; a ${type} key was expected there`);
    }
    return { pair: existing, path, created: false };
  }
  const pair = generateKeyPair(type);
  return { pair, path: await saveSeed(directory, fileName, pair), created: true };
}
