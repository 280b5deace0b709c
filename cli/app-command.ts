import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Command } from 'commander';
import { parseDocument } from 'yaml';
import { AppError, readManifest, type AppStatus } from '../apps/index.ts';
import type { ControlOp, ControlReplies, ControlRequestOf } from '../host/index.ts';
import { checkLatticeName, latticeControlClient } from '../host/lattice/index.ts';
import { CliError } from './errors.ts';
import { askHost } from './host-client.ts';
import { onceOnLattice, withCredentialOptions, type CredentialOptions } from './lattice-options.ts';
import { positive } from './options.ts';
import { emit, note } from './output.ts';
import { defaultLattice } from './config-file.ts';
import { table } from './table.ts';
import { withProgress } from './progress.ts';

interface WhereOptions extends CredentialOptions {
  nats?: string;
  lattice: string;
}

/** The local host, or any host of the lattice with --nats: deployed applications are the lattice's. */
function withWhere(command: Command): Command {
  return withCredentialOptions(command)
    .option('--nats <url>', 'a NATS server of the lattice: ask any host there rather than the local one')
    .option('--lattice <name>', 'the lattice, with --nats', defaultLattice());
}

/** One request, to the local host or to any host of the lattice: one ControlClient or the other, the same call. */
async function ask<Op extends ControlOp>(options: WhereOptions, request: ControlRequestOf<Op>): Promise<ControlReplies[Op]> {
  if (!options.nats) return askHost(request);
  return onceOnLattice(options.nats, checkLatticeName(options.lattice), options, (bus) => latticeControlClient(bus, { timeoutMs: 10_000 }).request(request));
}

/** How long `app deploy --wait` sees an application failing before it believes it: a few reconciler passes. */
const FAILURE_SETTLES_MS = 5000;

const isUrl = (image: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(image);

/**
 * The manifest, read and checked here, with each relative image path made absolute against the
 * manifest's folder: the hosts that load the images do not share the CLI's working directory.
 */
async function manifestFile(file: string): Promise<{ text: string; name: string }> {
  const text = await readFile(file, 'utf8').catch((error: Error) => {
    throw new CliError('CLI_FILE_UNREADABLE', `cannot read ${file}: ${error.message}`);
  });
  const reading = readManifest(text);
  if (!reading.ok) throw new AppError('APP_INVALID', reading.problems.map((problem) => `${file}:${problem.line}:${problem.column}: ${problem.message}`).join('\n'));
  const document = parseDocument(text);
  reading.app.components.forEach((component, index) => {
    if (component.kind === 'actor' && !isUrl(component.image) && !isAbsolute(component.image)) {
      document.setIn(['spec', 'components', index, 'properties', 'image'], resolve(dirname(file), component.image));
    }
  });
  return { text: document.toString(), name: reading.app.name };
}

const statusLine = (status: AppStatus) => `${status.name}  ${status.version}  ${status.state}${status.reasons.length ? `\n${status.reasons.map((reason) => `  - ${reason}`).join('\n')}` : ''}`;

/** Polls the status until `done` says so, within `timeoutMs`; the last status either way. */
function waitFor(options: WhereOptions, name: string, done: (status: AppStatus | undefined) => boolean, timeoutMs: number): Promise<AppStatus | undefined> {
  const deadline = Date.now() + timeoutMs;
  return withProgress(`waiting for ${name}`, async () => {
    for (;;) {
      const status = await ask(options, { op: 'app-status', name }).catch((error: unknown) => {
        if ((error as { code?: string }).code === 'APP_NOT_FOUND') return undefined;
        throw error;
      });
      if (done(status) || Date.now() > deadline) return status;
      await new Promise((resolveSoon) => setTimeout(resolveSoon, 250));
    }
  });
}

export function appCommand(): Command {
  const app = new Command('app').description('declarative applications: a manifest (wadm-style YAML) that the lattice keeps true');
  app
    .command('validate')
    .description('check a manifest; every problem is reported with its line and column')
    .argument('<manifest.yaml>')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const text = await readFile(file, 'utf8').catch((error: Error) => {
        throw new CliError('CLI_FILE_UNREADABLE', `cannot read ${file}: ${error.message}`);
      });
      const reading = readManifest(text);
      if (reading.ok) return emit(options.json, { ok: true, app: reading.app }, `${file}: valid (${reading.app.name} ${reading.app.version}, ${reading.app.components.length} components, ${reading.app.links.length} links)`);
      emit(options.json, { ok: false, problems: reading.problems }, reading.problems.map((problem) => `${file}:${problem.line}:${problem.column}: ${problem.message}`).join('\n'));
      process.exitCode = 1;
    });
  withWhere(app.command('deploy'))
    .description('deploy (or update) an application; the reconciler starts what it names and keeps it running')
    .argument('<manifest.yaml>')
    .option('--wait', 'wait until it is deployed (or failed)')
    .option('--timeout-ms <ms>', 'how long --wait waits', '60000')
    .option('--json', 'print JSON')
    .action(async (file: string, options: WhereOptions & { wait?: boolean; timeoutMs: string; json?: boolean }) => {
      const manifest = await manifestFile(file);
      let status = await ask(options, { op: 'app-deploy', manifest: manifest.text });
      if (options.wait) {
        // A failure that a host joining would mend (no host matches yet) ends the wait only once it has lasted.
        let failingSince: number | undefined;
        const settled = (now: AppStatus | undefined) => {
          if (now?.state !== 'failed') failingSince = undefined;
          else failingSince ??= Date.now();
          return now?.state === 'deployed' || (failingSince !== undefined && Date.now() - failingSince >= FAILURE_SETTLES_MS);
        };
        status = (await waitFor(options, manifest.name, settled, positive(options.timeoutMs, '--timeout-ms'))) ?? status;
      }
      emit(options.json, status, statusLine(status));
      if (status.state === 'failed') process.exitCode = 1;
    });
  withWhere(app.command('undeploy'))
    .description('take an application away: its links, actors and providers')
    .argument('<name>')
    .option('--wait', 'wait until everything it ran is gone')
    .option('--timeout-ms <ms>', 'how long --wait waits', '60000')
    .option('--json', 'print JSON')
    .action(async (name: string, options: WhereOptions & { wait?: boolean; timeoutMs: string; json?: boolean }) => {
      const status = await ask(options, { op: 'app-undeploy', name });
      if (options.wait) {
        const left = await waitFor(options, name, (now) => now === undefined, positive(options.timeoutMs, '--timeout-ms'));
        if (left) throw new AppError('APP_NOT_FOUND', `${name} is still being taken away: ${statusLine(left)}`);
        return emit(options.json, { name, state: 'undeployed' }, `${name} undeployed`);
      }
      emit(options.json, status, statusLine(status));
    });
  withWhere(app.command('list'))
    .description('the deployed applications and their state')
    .option('--json', 'print JSON')
    .action(async (options: WhereOptions & { json?: boolean }) => {
      const statuses = await ask(options, { op: 'app-list' });
      emit(options.json, statuses, statuses.length ? table(['application', 'version', 'state', 'reasons'], statuses.map((status) => [status.name, status.version, status.state, status.reasons.join('; ') || '-'])) : 'no applications');
    });
  withWhere(app.command('status'))
    .description('one application: deployed, reconciling, failed or undeploying, with the reasons')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: WhereOptions & { json?: boolean }) => {
      const status = await ask(options, { op: 'app-status', name });
      emit(options.json, status, statusLine(status));
      if (status.state === 'failed') note(`${name} failed; fix the manifest or the hosts, and deploy again`);
    });
  return app;
}
