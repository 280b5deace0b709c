/**
 * The README's main job on a fresh machine, in a real terminal (tmux): `badger up --demo` says what
 * it is doing while it builds, prints the URLs, and leaves the JSON log to host.log.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'badger.js');
const session = `badger-first-start-${process.pid}`;
let home: string;

const tmux = (...args: string[]) =>
  promisify(execFile)('tmux', args).catch((error: Error) => {
    throw new Error(`tmux failed (${error.message}); install it with: sudo apt-get install -y tmux`);
  });
const screen = async () => (await tmux('capture-pane', '-p', '-J', '-S', '-500', '-t', session)).stdout;

afterAll(async () => {
  await tmux('send-keys', '-t', session, 'C-c').catch(() => {});
  for (let attempt = 0; attempt < 100 && !/badger host stopping/.test(await screen().catch(() => 'badger host stopping')); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
  await tmux('kill-session', '-t', session).catch(() => {});
});

describe('a first badger up --demo in a terminal', () => {
  it('shows each build as it goes, then the URLs, which answer; and no JSON log line', async () => {
    home = await mkdtemp(join(tmpdir(), 'badger-first-start-'));
    await tmux('new-session', '-d', '-s', session, '-x', '220', '-y', '60', '-e', `BADGER_HOME=${home}`, `${process.execPath} ${BIN} up --demo`);
    let text = '';
    let spinnerShown = false;
    for (let attempt = 0; attempt < 3000 && !/demo: oled-ticker serves/.test(text); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await screen();
      // While the builds run, a spinner is drawn below the lines already printed.
      spinnerShown ||= /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] the demo is building and starting its actors$/m.test(text);
    }
    expect(spinnerShown, 'a spinner while the demo builds').toBe(true);
    const lines = text.split('\n').map((line) => line.trimEnd()).filter(Boolean);
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    expect(at(/^demo: oled-ticker serves/), text).toBeGreaterThan(0);
    for (const name of ['hello', 'hello-wat', 'counter', 'echo', 'oled-ticker']) {
      expect(at(new RegExp(`^demo: building ${name}…$`)), text).toBeGreaterThanOrEqual(0);
      expect(at(new RegExp(`^demo: built ${name} in \\d+\\.\\d s`))).toBeLessThan(at(new RegExp(`^demo: ${name} serves `)));
    }
    // Each link is a step of its own, between its actor's build and its URL.
    expect(at(/^demo: linked counter to the keyvalue provider/)).toBeGreaterThan(at(/^demo: built counter in/));
    expect(at(/^demo: linked counter to the keyvalue provider/)).toBeLessThan(at(/^demo: counter serves /));
    expect(at(/^demo: linked oled-ticker to the oled-display provider/)).toBeLessThan(at(/^demo: oled-ticker serves /));
    expect(lines.filter((line) => line.startsWith('{')), 'JSON log lines on the terminal').toEqual([]);
    for (const [, name, url] of text.matchAll(/^demo: (\S+) serves (http:\/\/127\.0\.0\.1:\d+\/)$/gm)) {
      const response = await fetch(name === 'oled-ticker' ? url! : `${url}`, name === 'oled-ticker' ? { method: 'POST', body: 'hi' } : {});
      expect(response.status, `${name} at ${url}`).toBe(200);
    }
    // The JSON log is kept, in host.log: requests included (their lines come in batches: wait, bounded).
    let log = '';
    for (let attempt = 0; attempt < 100 && !log.includes('"msg":"http request"'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      log = await readFile(join(home, 'host.log'), 'utf8');
    }
    expect(log).toMatch(/"msg":"http request"/);
    expect(lines.some((line) => line.includes('http request'))).toBe(false);
  }, 400_000);
});
