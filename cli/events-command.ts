import { Command } from 'commander';
import { allEventsSubject, EVENT_TYPE_PREFIX, type CloudEvent } from '../host/lattice/index.ts';
import { onceConnected, withCredentialOptions, type CredentialOptions } from './lattice-options.ts';
import { positive } from './options.ts';
import { defaultLattice, defaultNats } from './config-file.ts';

export function eventsCommand(): Command {
  return withCredentialOptions(new Command('events'))
    .description("tail a lattice's events (CloudEvents): hosts, actors, providers, links, failures, OLED frames; Ctrl-C stops")
    .requiredOption('--nats <url>', 'a NATS server of the lattice (nats://host:4222); default: nats in ~/.badger/config.yaml', defaultNats())
    .option('--lattice <name>', 'the lattice', defaultLattice())
    .option('--count <n>', 'stop after this many events')
    .option('--no-heartbeats', 'leave out host and provider heartbeats')
    .option('--json', 'print each event as one line of JSON')
    .action(async (options: { nats: string; lattice: string; count?: string; heartbeats: boolean; json?: boolean } & CredentialOptions) => {
      const count = options.count === undefined ? Infinity : positive(options.count, '--count');
      const subject = allEventsSubject(options.lattice);
      await onceConnected(options.nats, options, async (connection) => {
        const subscription = connection.subscribe(subject);
        process.once('SIGINT', () => subscription.unsubscribe());
        let seen = 0;
        for await (const message of subscription) {
          let event: CloudEvent<Record<string, unknown>>;
          try {
            event = JSON.parse(message.string()) as CloudEvent<Record<string, unknown>>;
          } catch {
            continue;
          }
          const type = event.type.replace(EVENT_TYPE_PREFIX, '');
          if (!options.heartbeats && type.endsWith('_heartbeat')) continue;
          const { bytes: _frame, ...shown } = event.data ?? {};
          process.stdout.write(options.json ? `${JSON.stringify(event)}\n` : `${event.time}  ${type}  ${event.source}  ${JSON.stringify(shown)}\n`);
          if (++seen >= count) break;
        }
      });
    });
}
