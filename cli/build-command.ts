import { join } from 'node:path';
import { Command } from 'commander';
import type { KeyPair } from '../claims/index.ts';
import { buildActor, fileStem, loadActorProject, type ActorProject, type BuildSummary } from '../toolchain/index.ts';
import { CliError } from './errors.ts';
import { defaultKeyDirectory, keyFromArgument, storedOrNewKey } from './key-store.ts';
import { emit, note } from './output.ts';

interface BuildOptions {
  issuer?: string;
  subject?: string;
  force?: boolean;
  json?: boolean;
}

export function buildCommand(): Command {
  return new Command('build')
    .description('build and sign actor projects (badger.toml or badger.json) into build/<name>_s.wasm')
    .argument('[dirs...]', 'actor project folders', ['.'])
    .option('--issuer <seed|file>', 'account key that signs (default: issuer-key in the config, else ~/.badger/keys/issuer_account.nk)')
    .option('--subject <seed|file>', 'component key (default: subject-key in the config, else ~/.badger/keys/<name>_component.nk)')
    .option('--force', 'rebuild even when the sources have not changed')
    .option('--json', 'print JSON')
    .action(async (dirs: string[], options: BuildOptions) => {
      if (options.subject && dirs.length > 1) {
        throw new CliError('CLI_BAD_ARGUMENT', '--subject names one component key, so it can build only one project at a time');
      }
      const summaries: BuildSummary[] = [];
      for (const dir of dirs) {
        const project = await loadActorProject(dir);
        const { config } = project;
        const progress = process.stderr.isTTY ? (step: string) => process.stderr.write(`\r\x1b[K${config.name}: ${step}…`) : undefined;
        const summary = await buildActor(project, {
          ...(await projectKeys(project, options)),
          ...(options.force ? { force: true } : {}),
          ...(progress ? { onProgress: progress } : {}),
        });
        if (progress) process.stderr.write('\r\x1b[K');
        summaries.push(summary);
        if (!options.json) console.log(summaryLine(summary));
      }
      if (options.json) emit(true, summaries, '');
    });
}

/** The keys a project is signed with: the flags', else its config's, else the stored ones (made on first use). */
export async function projectKeys(project: ActorProject, flags: { issuer?: string; subject?: string } = {}): Promise<{ issuer: KeyPair; subject: KeyPair }> {
  const { config } = project;
  return {
    issuer: await resolveKey(flags.issuer, config.issuerKey && join(project.dir, config.issuerKey), 'issuer_account.nk', 'account', '--issuer'),
    subject: await resolveKey(flags.subject, config.subjectKey && join(project.dir, config.subjectKey), `${fileStem(config.name)}_component.nk`, 'component', '--subject'),
  };
}

async function resolveKey(flag: string | undefined, configured: string | undefined, storedName: string, type: 'account' | 'component', option: string): Promise<KeyPair> {
  if (flag) return keyFromArgument(flag, option, type);
  if (configured) return keyFromArgument(configured, `${option} (from the actor config)`, type);
  const stored = await storedOrNewKey(defaultKeyDirectory(), storedName, type);
  if (stored.created) note(`Generated a new ${type} key and saved its seed to ${stored.path}`);
  return stored.pair;
}

function summaryLine(summary: BuildSummary): string {
  const size = summary.size >= 1_000_000 ? `${(summary.size / 1_000_000).toFixed(1)} MB` : `${(summary.size / 1000).toFixed(1)} kB`;
  const caps = summary.capabilities.length ? summary.capabilities.join(', ') : 'no capabilities';
  return `${summary.name}: ${summary.output} ${size} hash ${summary.hash.slice(0, 12)}… component ${summary.subject} caps ${caps}${summary.cached ? ' (unchanged)' : ''}`;
}
