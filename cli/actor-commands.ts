import { Command } from 'commander';
import { encodeControlJson, LOG_LEVELS, type ActorSummary, type ControlRequestOf } from '../host/index.ts';
import { auction, checkLatticeName, LatticeError, latticeControlClient, pickHost } from '../host/lattice/index.ts';
import { CliError } from './errors.ts';
import { askHost } from './host-client.ts';
import { onceOnLattice, withCredentialOptions, type CredentialOptions } from './lattice-options.ts';
import { collect, componentLocation, integerOption, keyValuePairs, logLevel, positive } from './options.ts';
import { emit } from './output.ts';
import { defaultLattice } from './config-file.ts';
import { withProgress } from './progress.ts';

export function startCommand(): Command {
  const start = new Command('start').description('start an actor (or a provider) on the running host');
  withCredentialOptions(start.command('actor'))
    .description('verify, admit and start an actor')
    .argument('<path|url|reference>', 'a signed component: a file, an http(s) URL, oci://<registry>/<repository>:<tag> (or @sha256:<digest>), or lattice://<name>:<version>')
    .option('--max-instances <n>', 'instances that may run at once (on shared threads, at most one per thread)', '1')
    .option('--isolated', 'run on threads of its own rather than the shared ones: for a guest that waits long, or that must not share a thread')
    .option('--idle-ms <ms>', "drop an instance unused this long; the next call makes a new one (default: the host's --idle-ms)")
    .option('--deadline-ms <ms>', 'end a call that runs longer than this', '10000')
    .option('--queue-limit <n>', 'calls (or HTTP requests, per instance) that may wait for a busy instance; more get ACTOR_BUSY or 503', '64')
    .option('--memory-limit-mb <mb>', 'memory each instance may use', '512')
    .option('--config <key=value>', 'what wasi:config answers this actor (repeatable)', collect, [])
    .option('--log-level <level>', `the least severe of its own log lines kept: ${LOG_LEVELS.join(', ')} (default: the host's)`)
    .option('--json', 'print JSON')
    .option('--nats <url>', 'start it on a host of this lattice instead of the local one (the location must then be a reference, an http(s) URL or a path on that host)')
    .option('--lattice <name>', 'with --nats: the lattice', defaultLattice())
    .option('--host <id>', 'with --nats: the host (its N… id) to start it on')
    .option('--constraint <key=value>', 'with --nats: auction among hosts whose labels match (repeatable); the least loaded wins', collect, [])
    .action(
      async (
        location: string,
        options: {
          maxInstances: string;
          deadlineMs: string;
          queueLimit: string;
          memoryLimitMb: string;
          config: string[];
          logLevel?: string;
          isolated?: boolean;
          idleMs?: string;
          json?: boolean;
          nats?: string;
          lattice: string;
          host?: string;
          constraint: string[];
        } & CredentialOptions,
      ) => {
        const request = {
          op: 'start-actor' as const,
          location: componentLocation(location),
          maxInstances: positive(options.maxInstances, '--max-instances'),
          deadlineMs: positive(options.deadlineMs, '--deadline-ms'),
          queueLimit: integerOption(options.queueLimit, '--queue-limit', 0),
          memoryLimitMb: positive(options.memoryLimitMb, '--memory-limit-mb'),
          config: keyValuePairs(options.config, '--config'),
          ...(options.logLevel === undefined ? {} : { logLevel: logLevel(options.logLevel, '--log-level') }),
          ...(options.isolated ? { isolated: true } : {}),
          ...(options.idleMs === undefined ? {} : { idleMs: positive(options.idleMs, '--idle-ms') }),
        };
        const constraints = keyValuePairs(options.constraint, '--constraint');
        const summary: ActorSummary & { host?: string } = await withProgress(`starting ${location}`, () =>
          options.nats ? startOnLattice(options.nats, options.lattice, options.host, constraints, request, options) : askHost(request),
        );
        emit(
          options.json,
          summary,
          `started ${summary.name} (${summary.id})${summary.host ? ` on host ${summary.host}` : ''}${summary.capabilities.length ? ` with ${summary.capabilities.join(', ')}` : ''}${summary.transpiled ? '' : ' [from the transpile cache]'}`,
        );
      },
    );
  start
    .command('provider')
    .description('start a provider by its kind')
    .argument('<kind>', 'a kind the host knows: keyvalue, blobstore, http-server, http-client or oled-display built in (badger provider kinds lists them)')
    .option('--id <id>', 'the instance id links will name')
    .option('--json', 'print JSON')
    .action(async (kind: string, options: { id?: string; json?: boolean }) => {
      const started = await askHost({ op: 'start-provider', kind, ...(options.id ? { id: options.id } : {}) });
      emit(options.json, started, `started provider ${started.id} (${started.name})`);
    });
  return start;
}

/** Starts an actor on the named host, or on the least loaded host whose labels meet the constraints. */
async function startOnLattice(
  servers: string,
  lattice: string,
  hostId: string | undefined,
  constraints: Record<string, string>,
  request: ControlRequestOf<'start-actor'>,
  credentials: CredentialOptions,
): Promise<ActorSummary & { host: string }> {
  return onceOnLattice(servers, checkLatticeName(lattice), credentials, async (bus) => {
    let target = hostId;
    if (!target) {
      const winner = pickHost(await auction(bus, constraints, 1000));
      const wanted = Object.entries(constraints).map(([key, value]) => `${key}=${value}`).join(', ') || 'no constraint';
      if (!winner) throw new LatticeError('LATTICE_NO_HOST', `no host on lattice ${lattice} answered the auction (${wanted})`);
      target = winner.id;
    }
    return { ...(await latticeControlClient(bus, { hostId: target, timeoutMs: 60_000 }).request(request)), host: target };
  });
}

export function stopCommand(): Command {
  const stop = new Command('stop').description('stop an actor (draining its calls) or a provider');
  stop.command('actor').description('stop an actor after its calls in flight').argument('<actor>', 'id or name').option('--json', 'print JSON').action(async (actor: string, options: { json?: boolean }) => {
    emit(options.json, await askHost({ op: 'stop-actor', actor }), `stopped ${actor}`);
  });
  stop.command('provider').description('stop a provider').argument('<id>').option('--json', 'print JSON').action(async (id: string, options: { json?: boolean }) => {
    emit(options.json, await askHost({ op: 'stop-provider', id }), `stopped provider ${id}`);
  });
  return stop;
}

export function updateCommand(): Command {
  const update = new Command('update').description('swap a running actor for its next version');
  update
    .command('actor')
    .description('swap a running actor for another version of it (the same component key, signed by the same account) without a gap: its links and HTTP addresses move to the new one, calls in flight finish on the old one; a version that does not start leaves the old one running')
    .argument('<path|url|reference>', 'the new version: a signed component, a file, an http(s) URL, or an oci:// or lattice:// reference')
    .option('--json', 'print JSON')
    .action(async (location: string, options: { json?: boolean }) => {
      const resolved = componentLocation(location);
      const summary = await withProgress(`updating to ${location}`, () => askHost({ op: 'update-actor', location: resolved }));
      emit(options.json, summary, `updated ${summary.name} (${summary.id})${summary.capabilities.length ? ` with ${summary.capabilities.join(', ')}` : ''}`);
    });
  return update;
}

export function scaleCommand(): Command {
  return new Command('scale')
    .description('change how many instances of an actor may run at once')
    .addCommand(
      new Command('actor').description('set how many instances may run at once').argument('<actor>', 'id or name').argument('<n>', 'max instances').option('--json', 'print JSON').action(async (actor: string, n: string, options: { json?: boolean }) => {
        const summary = await askHost({ op: 'scale-actor', actor, maxInstances: positive(n, 'n') });
        emit(options.json, summary, `${summary.name} may now run ${summary.limits.maxInstances} instances`);
      }),
    );
}

export function callCommand(): Command {
  return new Command('call')
    .description('call an actor export; for HTTP actors, wasi:http/incoming-handler.handle with {"method","path","headers","body"}')
    .argument('<actor>', 'id or name')
    .argument('<function>', 'an export: run, greet.twice, or fully qualified as example:greeter/greet@0.1.0.twice; wasi:http/incoming-handler.handle sends an HTTP request')
    .argument('[args]', 'the arguments as a JSON array (or one JSON value)', '[]')
    .option('--json', 'print JSON')
    .action(async (actor: string, fn: string, rawArgs: string, options: { json?: boolean }) => {
      let args: unknown;
      try {
        args = JSON.parse(rawArgs);
      } catch {
        throw new CliError('CLI_BAD_ARGUMENT', `args: ${rawArgs} is not JSON`);
      }
      const result = await askHost({ op: 'call', actor, function: fn, args: Array.isArray(args) ? args : [args] });
      const http = result as { status?: number; body?: string };
      emit(options.json, JSON.parse(encodeControlJson(result)), typeof http.status === 'number' ? `${http.status}\n${http.body}` : encodeControlJson(result));
    });
}
