import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { DisplaySnapshot } from '../host/index.ts';
import { renderHalfBlocks, renderPng, snapshotPixels } from '../providers/oled-display/index.ts';
import { askHost } from './host-client.ts';
import { positive } from './options.ts';
import { emit } from './output.ts';

const snapshotOf = async (panel: string | undefined) => (await askHost({ op: 'display-snapshot', ...(panel ? { panel } : {}) })) as DisplaySnapshot;

export function oledCommand(): Command {
  const oled = new Command('oled').description('see what an OLED display shows (emulated, or the mirror of a real one)');
  oled
    .command('snapshot')
    .description('write what the panel shows as a PNG')
    .requiredOption('-o, --out <file.png>', 'where to write the PNG')
    .option('--panel <name>', "the panel (default: the display provider's first)")
    .option('--scale <n>', 'screen pixels per display pixel', '4')
    .option('--json', 'print JSON')
    .action(async (options: { out: string; panel?: string; scale: string; json?: boolean }) => {
      const snapshot = await snapshotOf(options.panel);
      await writeFile(options.out, renderPng(snapshotPixels(snapshot), positive(options.scale, '--scale')));
      emit(options.json, { panel: snapshot.panel, width: snapshot.width, height: snapshot.height, file: options.out }, `wrote ${options.out} (${snapshot.panel}, ${snapshot.width}×${snapshot.height})`);
    });
  oled
    .command('watch')
    .description('show the panel live in this terminal, two pixels to a character; Ctrl-C stops')
    .option('--panel <name>', "the panel (default: the display provider's first)")
    .option('--interval-ms <ms>', 'how often to look', '100')
    .option('--once', 'draw once and exit')
    .action(async (options: { panel?: string; intervalMs: string; once?: boolean }) => {
      const interval = positive(options.intervalMs, '--interval-ms');
      let last = '';
      for (;;) {
        const snapshot = await snapshotOf(options.panel);
        const frame = [`${snapshot.panel} ${snapshot.width}×${snapshot.height}`, ...renderHalfBlocks(snapshotPixels(snapshot)).map((line) => `│${line}│`)].join('\n');
        // Redraw in place, and only when something changed.
        if (frame !== last) process.stdout.write(options.once ? `${frame}\n` : `\x1b[H\x1b[2J${frame}\n`);
        last = frame;
        if (options.once) return;
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    });
  return oled;
}
