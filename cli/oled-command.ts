import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { displaySnapshotFrom, renderHalfBlocks, renderPng, renderQuadrants, snapshotPixels, terminalLayout, type DisplaySnapshot } from '../providers/oled-display/index.ts';
import { callRemoteService, checkLatticeName, connectLattice } from '../host/lattice/index.ts';
import { CliError } from './errors.ts';
import { askHost } from './host-client.ts';
import { connectionAuth, operatorBus, withCredentialOptions, type CredentialOptions } from './lattice-options.ts';
import { positive } from './options.ts';
import { emit } from './output.ts';
import { defaultLattice } from './config-file.ts';

interface WhereOptions extends CredentialOptions {
  panel?: string;
  nats?: string;
  lattice: string;
  provider?: string;
}

/** How to read what the panel shows: from the local host, or from a display provider on the lattice. */
async function snapshotSource(options: WhereOptions): Promise<{ read(): Promise<DisplaySnapshot>; close(): Promise<void> }> {
  if (!options.nats) {
    if (options.provider) throw new CliError('CLI_BAD_ARGUMENT', '--provider names a display provider on a lattice: give --nats too');
    return { read: async () => displaySnapshotFrom(await askHost({ op: 'provider-service', service: 'snapshot', request: options.panel ? { panel: options.panel } : {} })), close: async () => {} };
  }
  if (!options.provider) throw new CliError('CLI_BAD_ARGUMENT', '--nats: name the display provider with --provider (its id, as links name it)');
  const lattice = checkLatticeName(options.lattice);
  const provider = options.provider;
  const connection = await connectLattice(options.nats, { reconnect: false, ...(await connectionAuth(options)) });
  const bus = await operatorBus(connection, lattice);
  return { read: async () => displaySnapshotFrom(await callRemoteService(bus, provider, 'snapshot', options.panel ? { panel: options.panel } : {}, 5000)), close: () => connection.close() };
}

/** Where the panel is: this host, or a display provider on a lattice. */
function withWhereOptions(command: Command): Command {
  return withCredentialOptions(command)
    .option('--panel <name>', "the panel (default: the display provider's first)")
    .option('--nats <url>', 'a NATS server of the lattice, to see a display provider there (with --provider)')
    .option('--lattice <name>', 'the lattice, with --nats', defaultLattice())
    .option('--provider <id>', 'with --nats, the display provider, by the id links name');
}

/** The panel as the terminal can show it: full size, half size on a narrow one (COLUMNS when not a terminal), or why not. */
function terminalFrame(snapshot: DisplaySnapshot): string {
  const columns = process.stdout.columns ?? (Number(process.env.COLUMNS) || undefined);
  const layout = terminalLayout(snapshot.width, columns);
  if ('tooNarrow' in layout) return `${snapshot.panel} ${snapshot.width}×${snapshot.height}: ${layout.tooNarrow}; widen it, or use oled snapshot for a PNG`;
  const pixels = snapshotPixels(snapshot);
  const rows = layout.size === 'full' ? renderHalfBlocks(pixels) : renderQuadrants(pixels);
  return [`${snapshot.panel} ${snapshot.width}×${snapshot.height}${layout.size === 'half' ? ' (half size: the terminal is narrow)' : ''}`, ...rows.map((line) => `│${line}│`)].join('\n');
}

export function oledCommand(): Command {
  const oled = new Command('oled').description('see what an OLED display shows (emulated, or the mirror of a real one)');
  withWhereOptions(oled.command('snapshot'))
    .description('write what the panel shows as a PNG')
    .requiredOption('-o, --out <file.png>', 'where to write the PNG')
    .option('--scale <n>', 'screen pixels per display pixel', '4')
    .option('--json', 'print JSON')
    .action(async (options: { out: string; scale: string; json?: boolean } & WhereOptions) => {
      const source = await snapshotSource(options);
      const snapshot = await source.read().finally(() => source.close());
      await writeFile(options.out, renderPng(snapshotPixels(snapshot), positive(options.scale, '--scale')));
      emit(options.json, { panel: snapshot.panel, width: snapshot.width, height: snapshot.height, file: options.out }, `wrote ${options.out} (${snapshot.panel}, ${snapshot.width}×${snapshot.height})`);
    });
  withWhereOptions(oled.command('watch'))
    .description('show the panel live in this terminal, two pixels to a character (2×2 on a terminal under 130 columns; COLUMNS when piped); Ctrl-C stops')
    .option('--interval-ms <ms>', 'how often to look', '100')
    .option('--once', 'draw once and exit')
    .option('--json', 'print each new frame as a line of JSON (the snapshot) instead of drawing it')
    .action(async (options: { intervalMs: string; once?: boolean; json?: boolean } & WhereOptions) => {
      const interval = positive(options.intervalMs, '--interval-ms');
      const source = await snapshotSource(options);
      let last = '';
      for (;;) {
        const snapshot = await source.read().catch(async (error: unknown) => {
          await source.close();
          throw error;
        });
        const frame = terminalFrame(snapshot);
        // Redraw in place, and only when something changed.
        if (frame !== last) process.stdout.write(options.json ? `${JSON.stringify(snapshot)}\n` : options.once ? `${frame}\n` : `\x1b[H\x1b[2J${frame}\n`);
        last = frame;
        if (options.once) return source.close();
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    });
  return oled;
}
