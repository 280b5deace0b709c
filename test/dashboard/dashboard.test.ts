import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { runCli } from '../cli/run-cli.ts';
import { freePort, startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';
import { tickerFrame } from '../fixtures/oled-ticker-frame.ts';
import { pixelsFromRows } from '../../dashboard/web/panel-pixels.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'badger.js');
const CHROMIUM = '/usr/bin/chromium';
/** Where the screenshots go, for people to look at (ignored by git). */
const SCREENSHOTS = join(ROOT, 'test-results', 'dashboard');

/** `badger ui … --json`, running, with the URL it printed. */
async function startUi(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string; token: string | null }> {
  const child = spawn(process.execPath, [BIN, 'ui', ...args, '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk) => (err += chunk));
  const ready = await new Promise<{ url: string; token: string | null }>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
    });
    child.once('exit', (code) => reject(new Error(`badger ui exited with ${code}: ${err}`)));
  });
  return { child, ...ready };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}

/** The canvas's pixels, lit or not, read in the page. */
const canvasPixels = (page: Page, key: string) =>
  page.evaluate(`(() => {
    const canvas = document.querySelector('canvas[data-display="${key}"]');
    if (!canvas) return [];
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    return Array.from({ length: canvas.width * canvas.height }, (_, i) => (data[i * 4] > 127 ? 1 : 0));
  })()`) as Promise<number[]>;

/** Waits (bounded) until the page's canvas shows what the emulated chip shows, then asserts it does. */
async function expectMirrored(page: Page, key: string, chip: { width: number; height: number; bits: string }): Promise<void> {
  const emulator = [...pixelsFromRows(chip.bits, chip.width, chip.height)];
  let mirrored = await canvasPixels(page, key);
  for (let attempt = 0; attempt < 50 && mirrored.join('') !== emulator.join(''); attempt++) {
    await page.waitForTimeout(100);
    mirrored = await canvasPixels(page, key);
  }
  expect(mirrored).toEqual(emulator);
}

describe('the dashboard in a browser', () => {
  let nats: RunningNats;
  const homes = { laptop: '', pi: '' };
  let ui: ChildProcess | undefined;
  let browser: Browser | undefined;
  const cli = (machine: keyof typeof homes, ...args: string[]) => runCli(args, { BADGER_HOME: homes[machine] });

  beforeAll(async () => {
    await access(CHROMIUM).catch(() => {
      throw new Error(`${CHROMIUM} is missing: install it with "sudo apt-get install -y chromium" (Debian); the dashboard test drives it with playwright-core`);
    });
    await mkdir(SCREENSHOTS, { recursive: true });
    nats = await startNatsServer();
    const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('oled-ticker')))!).iss;
    for (const [machine, label] of [['laptop', 'role=laptop'], ['pi', 'device=pi']] as const) {
      homes[machine] = await mkdtemp(join(tmpdir(), `badger-ui-${machine}-`));
      expect((await cli(machine, 'up', '--detached', '--nats', nats.url, '--label', label, '--trust', issuer)).code).toBe(0);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stop(ui);
    for (const machine of ['laptop', 'pi'] as const) if (homes[machine]) await cli(machine, 'down');
    await nats?.stop();
  });

  it('lists both hosts and their actors, mirrors the Pi\'s panel live, shows a failed action\'s error, and stops an actor', async () => {
    const httpPort = await freePort();
    expect((await cli('pi', 'start', 'provider', 'oled-display')).code).toBe(0);
    expect((await cli('laptop', 'start', 'actor', builtActor('oled-ticker'))).code).toBe(0);
    expect((await cli('laptop', 'start', 'provider', 'http-server')).code).toBe(0);
    expect((await cli('laptop', 'link', 'put', 'oled-ticker', 'oled-display', 'badger:oled/display')).code).toBe(0);
    expect((await cli('laptop', 'link', 'put', 'oled-ticker', 'http-server', 'wasi:http/incoming-handler', '--config', `address=127.0.0.1:${httpPort}`)).code).toBe(0);

    const started = await startUi(['--nats', nats.url, '--port', '0'], { BADGER_HOME: homes.laptop });
    ui = started.child;
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(started.url);
    await page.locator('[data-host]').nth(1).waitFor();
    expect(await page.locator('[data-host]').count()).toBe(2);
    const laptopCard = page.locator('[data-host]', { hasText: 'role=laptop' });
    const piCard = page.locator('[data-host]', { hasText: 'device=pi' });
    await laptopCard.locator('[data-actor="oled-ticker"]').waitFor();
    expect(await laptopCard.locator('[data-actor="oled-ticker"]').textContent()).toContain('badger:oled/display');
    await piCard.locator('[data-provider="oled-display"]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, '1-hosts.png'), fullPage: true });

    // The text goes to the laptop's actor; the Pi's emulated chip shows it, and so must the page.
    const posted = await fetch(`http://127.0.0.1:${httpPort}/`, { method: 'POST', body: 'Hi dash' });
    expect(posted.status).toBe(200);
    const { scale } = (await posted.json()) as { scale: number };
    const watched = await cli('laptop', 'oled', 'watch', '--nats', nats.url, '--provider', 'oled-display', '--once', '--json');
    const chip = JSON.parse(watched.stdout) as { width: number; height: number; bits: string };
    const drawn = tickerFrame('Hi dash', scale);
    expect([...pixelsFromRows(chip.bits, 128, 64)]).toEqual(Array.from({ length: 128 * 64 }, (_, i) => (drawn.getPixel(i % 128, Math.floor(i / 128)) ? 1 : 0)));
    await expectMirrored(page, 'oled-display/default', chip);
    await page.screenshot({ path: join(SCREENSHOTS, '2-oled-mirror.png'), fullPage: true });

    // A failed action shows what the control interface said.
    await laptopCard.locator('input[name="location"]').fill('/nowhere/missing.wasm');
    await laptopCard.getByRole('button', { name: 'Start actor' }).click();
    await page.locator('#error', { hasText: 'ARTIFACT_UNREADABLE' }).waitFor();
    expect(await page.locator('#error').textContent()).toMatch(/^start-actor: ARTIFACT_UNREADABLE: .*missing\.wasm/);

    await laptopCard.locator('[data-actor="oled-ticker"] button[data-action="stop"]').click();
    await laptopCard.locator('[data-actor="oled-ticker"]').waitFor({ state: 'detached' });
    await page.screenshot({ path: join(SCREENSHOTS, '3-actor-stopped.png'), fullPage: true });
    expect(JSON.parse((await cli('laptop', 'get', 'inventory', '--json')).stdout).actors).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows the host of this machine when there is no lattice, its panel included', async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-ui-alone-'));
    const alone = (...args: string[]) => runCli(args, { BADGER_HOME: home });
    const httpPort = await freePort();
    const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('oled-ticker')))!).iss;
    let local: ChildProcess | undefined;
    try {
      expect((await alone('up', '--detached', '--label', 'alone=yes', '--trust', issuer)).code).toBe(0);
      for (const args of [
        ['start', 'actor', builtActor('oled-ticker')],
        ['start', 'provider', 'oled-display'],
        ['start', 'provider', 'http-server'],
        ['link', 'put', 'oled-ticker', 'oled-display', 'badger:oled/display'],
        ['link', 'put', 'oled-ticker', 'http-server', 'wasi:http/incoming-handler', '--config', `address=127.0.0.1:${httpPort}`],
      ]) {
        expect((await alone(...args)).code).toBe(0);
      }
      const started = await startUi(['--port', '0'], { BADGER_HOME: home });
      local = started.child;
      const page = await browser!.newPage();
      await page.goto(started.url);
      await page.locator('[data-host]', { hasText: 'alone=yes' }).locator('[data-actor="oled-ticker"]').waitFor();
      expect((await fetch(`http://127.0.0.1:${httpPort}/`, { method: 'POST', body: 'Solo' })).status).toBe(200);
      await expectMirrored(page, 'oled-display/default', JSON.parse((await alone('oled', 'watch', '--once', '--json')).stdout));
      await page.screenshot({ path: join(SCREENSHOTS, '4-one-host.png'), fullPage: true });
      await page.close();
    } finally {
      await stop(local);
      await alone('down');
    }
  }, 60_000);

  it('says plainly that a host is on no lattice, shows its version, asks for no favicon, and shows the server\'s reason when the host stops', async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-ui-plain-'));
    const plain = (...args: string[]) => runCli(args, { BADGER_HOME: home });
    let ui: ChildProcess | undefined;
    try {
      expect((await plain('up', '--detached', '--label', 'plain=yes')).code).toBe(0);
      const started = await startUi(['--port', '0'], { BADGER_HOME: home });
      ui = started.child;
      const page = await browser!.newPage();
      const missing: string[] = [];
      page.on('response', (response) => {
        if (response.status() === 404) missing.push(response.url());
      });
      await page.goto(started.url);
      const card = page.locator('[data-host]', { hasText: 'plain=yes' });
      await card.waitFor();
      expect(await page.locator('#lattice').textContent()).toBe('· this host, on no lattice');
      const version = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
      expect(await card.textContent()).toContain(`v${version} ·`);
      expect(missing).toEqual([]);
      expect((await plain('down')).code).toBe(0);
      const banner = page.locator('#error');
      await banner.filter({ hasText: 'no host is running' }).waitFor({ timeout: 10_000 });
      expect(await banner.textContent()).toMatch(/^the dashboard cannot read the lattice: no host is running at .*: start one with "badger up"/);
      await page.close();
    } finally {
      await stop(ui);
      await plain('down');
    }
  }, 60_000);

  it('bound to an address beyond loopback, refuses anyone without its token', async () => {
    const open = await startUi(['--nats', nats.url, '--port', '0', '--bind', '0.0.0.0'], { BADGER_HOME: homes.laptop });
    try {
      expect(open.token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      const base = new URL(open.url);
      const bare = `http://127.0.0.1:${base.port}`;
      for (const path of ['/', '/api/view', '/api/events']) {
        const refused = await fetch(`${bare}${path}`);
        expect(refused.status).toBe(401);
        expect(await refused.json()).toMatchObject({ code: 'DASHBOARD_TOKEN_REQUIRED' });
      }
      expect((await fetch(`${bare}/api/view`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const page = await fetch(`${bare}/?token=${open.token}`);
      expect(page.status).toBe(200);
      const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
      expect((await fetch(`${bare}/api/view`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${bare}/api/view`, { headers: { authorization: `Bearer ${open.token}` } })).status).toBe(200);
      // An action needs JSON from the page's own origin, token or not.
      const forged = await fetch(`${bare}/api/actions`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: '{}' });
      expect(forged.status).toBe(403);
    } finally {
      await stop(open.child);
    }
  }, 60_000);
});
