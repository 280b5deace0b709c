import { Command } from 'commander';
import { generateKeyPair, isKeyType, KEY_TYPES } from '../claims/index.ts';
import { CliError } from './errors.ts';
import { saveSeed } from './key-store.ts';
import { emit } from './output.ts';

export function keysCommand(): Command {
  const keys = new Command('keys').description('generate nkeys: Ed25519 keys whose first letter names their type');
  keys
    .command('gen')
    .description('generate a key pair and print its public key and seed')
    .argument('<type>', KEY_TYPES.join(', '))
    .option('-o, --out <dir>', 'save the seed as <dir>/<public key>.nk (mode 0600) instead of printing it')
    .option('--json', 'print JSON')
    .action(async (type: string, options: { out?: string; json?: boolean }) => {
      if (!isKeyType(type)) {
        throw new CliError('CLI_BAD_ARGUMENT', `unknown key type "${type}"; use one of ${KEY_TYPES.join(', ')}`);
      }
      const pair = generateKeyPair(type);
      if (options.out) {
        const path = await saveSeed(options.out, `${pair.publicKey}.nk`, pair);
        emit(options.json, { type, publicKey: pair.publicKey, seedPath: path }, `Public key: ${pair.publicKey}\nSeed saved: ${path}`);
      } else {
        emit(options.json, { type, publicKey: pair.publicKey, seed: pair.seed }, `Public key: ${pair.publicKey}\nSeed: ${pair.seed}`);
      }
    });
  return keys;
}
