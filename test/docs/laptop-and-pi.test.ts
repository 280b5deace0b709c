import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../fixtures/nats-server.ts';
import { tickerFrame } from '../fixtures/oled-ticker-frame.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'badger.js');
const DOC = join(ROOT, 'docs', 'laptop-and-pi.md');

type Machine = 'pi' | 'laptop';

/** The commands of the doc's `sh pi` and `sh laptop` blocks, in order: what the reader types. */
function walkthroughCommands(markdown: string): { machine: Machine; command: string }[] {
  const commands: { machine: Machine; command: string }[] = [];
  for (const [, machine, body] of markdown.matchAll(/```sh (pi|laptop)\n([\s\S]*?)```/g)) {
    for (const line of body!.split('\n').map((text) => text.trim())) if (line && !line.startsWith('#')) commands.push({ machine: machine as Machine, command: line });
  }
  return commands;
}

/** Runs one line in bash as the doc writes it, with `npx badger` being this checkout's badger. */
function shell(command: string, cwd: string, env: Record<string, string>): ChildProcess {
  return spawn('bash', ['-c', command.replaceAll('npx badger', `"${process.execPath}" "${BIN}"`)], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

const background: ChildProcess[] = [];

afterAll(async () => {
  for (const child of background) {
    if (child.exitCode !== null) continue;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  }
});

describe('docs/laptop-and-pi.md', () => {
  it('takes two machines (here: two homes and two working directories on one machine, no path shared) to the text on the Pi\'s display, with the documented commands', async () => {
    const commands = walkthroughCommands(await readFile(DOC, 'utf8'));
    expect(commands.map((line) => line.machine)).toEqual(expect.arrayContaining(['pi', 'laptop']));
    // Two machines share nothing: each has its own working directory and BADGER_HOME, and no path
    // goes from one to the other. The laptop has the reader's checkout, as far as the walkthrough
    // touches it (building must not re-sign the examples other suites load); the Pi has nothing.
    const work: Record<Machine, string> = { pi: await mkdtemp(join(tmpdir(), 'badger-pi-work-')), laptop: await mkdtemp(join(tmpdir(), 'badger-laptop-work-')) };
    await cp(join(ROOT, 'actors-src', 'oled-ticker'), join(work.laptop, 'actors-src', 'oled-ticker'), { recursive: true });
    await mkdir(join(work.laptop, 'examples'));
    const ports = { hub: await freePort(), leaf: await freePort(), laptopLeaf: await freePort(), http: await freePort() };
    // Each machine's own ports, and the Pi's name, as they are on this one machine (whose traffic stays on loopback).
    const substitutions: Record<Machine, [RegExp, string][]> = {
      pi: [[/\b4222\b/g, String(ports.hub)], [/\b7422\b/g, String(ports.leaf)]],
      laptop: [[/\b4222\b/g, String(ports.laptopLeaf)], [/\b7422\b/g, String(ports.leaf)], [/\b8080\b/g, String(ports.http)], [/raspberrypi\.local/g, '127.0.0.1'], [/0\.0\.0\.0/g, '127.0.0.1']],
    };
    const localize = (machine: Machine, text: string) => substitutions[machine].reduce((line, [pattern, value]) => line.replace(pattern, value), text);
    await writeFile(join(work.laptop, 'examples', 'oled-app.yaml'), localize('laptop', await readFile(join(ROOT, 'examples', 'oled-app.yaml'), 'utf8')));
    const homes: Record<Machine, string> = { pi: await mkdtemp(join(tmpdir(), 'badger-pi-')), laptop: await mkdtemp(join(tmpdir(), 'badger-laptop-')) };
    // What the reader copies from the laptop's screen to the Pi: the account key \`claims inspect\` printed.
    let laptopAccount: string | undefined;

    const outputs: { command: string; stdout: string }[] = [];
    for (const { machine, command } of commands) {
      const line = localize(machine, command);
      const env: Record<string, string> = { BADGER_HOME: homes[machine], ...(laptopAccount ? { LAPTOP_ACCOUNT: laptopAccount } : {}) };
      if (line.endsWith('&')) {
        // A server left running: the next command may use it once it says it is up.
        const child = shell(line.slice(0, -1).trim(), work[machine], env);
        background.push(child);
        await new Promise<void>((resolve, reject) => {
          child.stderr!.once('data', () => resolve());
          child.once('exit', (code) => reject(new Error(`${command} exited with ${code}`)));
        });
        continue;
      }
      const child = shell(line, work[machine], env);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk) => (stdout += chunk));
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      if (code !== 0) throw new Error(`[${machine}] ${command} exited with ${code}:\n${stdout}${stderr}`);
      outputs.push({ command, stdout });
      if (command.includes('claims inspect')) laptopAccount = /^ {2}Account {6}(A[A-Z2-7]{55})$/m.exec(stdout)?.[1];
    }

    // What the POST answered, and what the Pi's display showed for it, as the snapshot saw it.
    const posted = outputs.find((output) => output.command.startsWith('curl'))!;
    const { scale } = JSON.parse(posted.stdout) as { scale: number };
    const image = PNG.sync.read(await readFile(join(work.laptop, 'pi.png')));
    const expected = tickerFrame('Hello Pi', scale);
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 128; x++) if ((image.data[(y * 128 + x) * 4]! > 127) !== expected.getPixel(x, y)) throw new Error(`pixel (${x}, ${y}) differs`);
    }
    expect(outputs.find((output) => output.command.includes('oled watch'))!.stdout).toMatch(/^default 128×64\n│/);
    expect(outputs.find((output) => output.command.includes('app status'))!.stdout).toMatch(/^oled-app {2}v0\.1\.0 {2}deployed/);
    expect(outputs.find((output) => output.command.includes('get hosts'))!.stdout).toMatch(/role=laptop/);
    expect(outputs.find((output) => output.command.includes('artifacts list'))!.stdout).toMatch(/lattice:\/\/oled-ticker:0\.1\.0 +[\d.]+ [KM]iB +sha256:/);
    // The actor ran on the Pi, pulled into the Pi's own cache from the store.
    const pulled = await readdir(join(homes.pi, 'artifacts', 'sha256'));
    expect(pulled).toHaveLength(1);
    expect(laptopAccount).toMatch(/^A/);
  }, 180_000);
});
