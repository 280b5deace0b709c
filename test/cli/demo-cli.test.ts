import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHalfBlocks, renderQuadrants } from '../../providers/oled-display/index.ts';
import { tickerFrame } from '../fixtures/oled-ticker-frame.ts';
import { runCli } from './run-cli.ts';

const BIN = fileURLToPath(new URL('../../bin/badger.js', import.meta.url));

/** A real terminal `columns` wide: tmux runs `badger oled watch`, and its screen is read back once it shows every wanted line (bounded). */
async function watchScreen(home: string, columns: number, wanted: readonly string[]): Promise<string> {
  const session = `badger-watch-${columns}-${process.pid}`;
  const tmux = (...args: string[]) =>
    promisify(execFile)('tmux', args).catch((error: Error) => {
      throw new Error(`tmux failed (${error.message}); install it with: sudo apt-get install -y tmux`);
    });
  await tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', '40', '-e', `BADGER_HOME=${home}`, `${process.execPath} ${BIN} oled watch`);
  try {
    let screen = '';
    for (let attempt = 0; attempt < 100 && !wanted.every((line) => screen.includes(line)); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      screen = (await tmux('capture-pane', '-p', '-t', session)).stdout;
    }
    return screen;
  } finally {
    await tmux('kill-session', '-t', session);
  }
}

describe('badger up --demo (the README\'s main job)', () => {
  let home: string;
  const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });
  /** What the panel shows once the first test has posted to oled-ticker. */
  let shown: boolean[][] | undefined;

  afterAll(async () => {
    await cli('down');
  });

  it('starts a host with the example actors, and they answer as it says they will', async () => {
    home = await mkdtemp(join(tmpdir(), 'badger-demo-'));
    const up = await cli('up', '--demo', '--detached');
    expect(up.stderr).toMatch(/running in the background/);
    const inventory = JSON.parse((await cli('get', 'inventory', '--json')).stdout);
    expect(inventory.actors.map((actor: { name: string }) => actor.name).sort()).toEqual(['counter', 'echo', 'hello', 'hello-wat', 'oled-ticker']);

    // Each actor is served over HTTP; the provider's health names where.
    const http = inventory.providers.find((provider: { id: string }) => provider.id === 'http-server');
    const helloId = inventory.actors.find((actor: { name: string }) => actor.name === 'hello').id;
    const address = new RegExp(`${helloId} on (http://127\\.0\\.0\\.1:\\d+)`).exec(http.health.message)?.[1];
    expect(address).toBeDefined();
    expect(await (await fetch(`${address}/echo?msg=${encodeURIComponent('<i>web</i>')}`)).text()).toContain('<p>&lt;i&gt;web&lt;/i&gt;</p>');

    const echo = JSON.parse((await cli('call', 'hello', 'wasi:http/incoming-handler.handle', '{"path": "/echo?msg=<b>hi</b>"}', '--json')).stdout);
    expect(echo.body).toContain('<p>&lt;b&gt;hi&lt;/b&gt;</p>');
    await cli('call', 'counter', 'wasi:http/incoming-handler.handle', '{"path": "/visits"}');
    const visits = JSON.parse((await cli('call', 'counter', 'wasi:http/incoming-handler.handle', '{"path": "/visits"}', '--json')).stdout);
    expect(JSON.parse(visits.body)).toEqual({ path: '/visits', count: 2 });

    // oled-ticker draws on the emulated panel; snapshot and watch show it.
    const tickerId = inventory.actors.find((actor: { name: string }) => actor.name === 'oled-ticker').id;
    const tickerUrl = new RegExp(`${tickerId} on (http://127\\.0\\.0\\.1:\\d+)`).exec(http.health.message)![1];
    const { scale } = (await (await fetch(`${tickerUrl}/`, { method: 'POST', body: 'Hello, Pi' })).json()) as { scale: number };
    const expected = tickerFrame('Hello, Pi', scale);
    shown = Array.from({ length: 64 }, (_, y) => Array.from({ length: 128 }, (_, x) => expected.getPixel(x, y)));

    const file = join(home, 'frame.png');
    expect(JSON.parse((await cli('oled', 'snapshot', '-o', file, '--scale', '2', '--json')).stdout)).toMatchObject({ panel: 'default', width: 128, height: 64 });
    const png = PNG.sync.read(await readFile(file));
    expect([png.width, png.height]).toEqual([256, 128]);
    const litInPng = (x: number, y: number) => png.data[(y * 2 * png.width + x * 2) * 4 + 2]! > 0;
    for (let y = 0; y < 64; y++) for (let x = 0; x < 128; x++) if (litInPng(x, y) !== expected.getPixel(x, y)) throw new Error(`PNG pixel (${x}, ${y}) differs`);

    // A real terminal: tmux runs `badger oled watch`, and its screen is read back.
    const rows = Array.from({ length: 64 }, (_, y) => Array.from({ length: 128 }, (_, x) => expected.getPixel(x, y)));
    const wanted = renderHalfBlocks(rows).map((line) => `│${line}│`);
    const screen = await watchScreen(home, 140, wanted);
    expect(screen).toContain('default 128×64');
    for (const line of wanted) expect(screen).toContain(line);
  }, 180_000);

  it('lists links by actor name, each with its config as it took effect, and the HTTP actors\' capabilities', async () => {
    const inventory = JSON.parse((await cli('get', 'inventory', '--json')).stdout) as {
      actors: { id: string; name: string }[];
      links: { source: string; interface: string; config: Record<string, string>; inEffect?: Record<string, string> }[];
    };
    const hello = inventory.actors.find((actor) => actor.name === 'hello')!;
    const bound = inventory.links.find((link) => link.source === hello.id && link.interface === 'wasi:http/incoming-handler')!.inEffect!.address!;
    expect(bound).toMatch(/^127\.0\.0\.1:\d+$/);
    expect((await fetch(`http://${bound}/`)).status).toBe(200);
    const table = (await cli('get', 'inventory')).stdout;
    const helloLink = table.split('\n').find((line) => /^hello +wasi:http\/incoming-handler/.test(line));
    expect(helloLink, table).toContain(`address=${bound}`);
    expect(table).not.toContain(hello.id.slice(0, 20) + ' ');
    expect(table.split('\n').find((line) => line.startsWith('hello-wat '))).toContain('wasi:http/incoming-handler');
    expect((await cli('link', 'query')).stdout).toContain(`address=${bound}`);
  });

  it('fits oled watch into an 80-column terminal at half size, two by two pixels to a character', async () => {
    expect(shown, 'the first test posts to oled-ticker').toBeDefined();
    const wanted = renderQuadrants(shown!).map((line) => `│${line}│`);
    const screen = await watchScreen(home, 80, wanted);
    expect(screen).toContain('default 128×64 (half size: the terminal is narrow)');
    for (const line of wanted) expect(screen).toContain(line);
  }, 60_000);
});
