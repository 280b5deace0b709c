// npm run bench -- soak [--minutes N]: the demo host (`badger up --demo`, in a process of its own)
// under a steady mixed load for N minutes (10 unless told), its RSS read every few seconds. It
// prints the samples as a table, the RSS growth after the warm-up, and the error count.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './report.ts';
import { rssGrowth, rssTable, type RssSample } from './rss-samples.ts';

const BIN = fileURLToPath(new URL('../bin/badger.js', import.meta.url));
/** Set by run.ts from `--minutes`. */
export const SOAK_MINUTES = 'BADGER_BENCH_SOAK_MINUTES';
const DEFAULT_MINUTES = 10;
const SAMPLE_EVERY_MS = 5000;
/** Requests in flight at once, all the run long. */
const CLIENTS = 8;
/** Keys the counter's load spreads over: the store holds a bounded set, so its growth is not the host's. */
const COUNTER_KEYS = 64;
/** A request of every this many is a deliberate error (a wrong method, a body over the limit), answered and counted apart. */
const DELIBERATE_EVERY = 50;
/**
 * Kept between runs, so that only the first run builds the demo's five actors; the builds are the
 * start's, not the soak's.
 */
const HOME = join(tmpdir(), 'badger-bench-soak');

type Urls = Record<'hello' | 'hello-wat' | 'counter' | 'echo' | 'oled-ticker', string>;
/** One request of the load: resolves when the answer is the one expected, rejects naming what came instead. */
type Step = (urls: Urls, n: number) => Promise<void>;

function badger(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, BADGER_HOME: HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`badger ${args.join(' ')} exited with ${code}: ${err.trim()}`))));
  });
}

async function expectStatus(response: Response, status: number, what: string): Promise<string> {
  const body = await response.text();
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${body.slice(0, 120)}`);
  return body;
}

const STEPS: readonly Step[] = [
  async (urls, n) => {
    const body = await expectStatus(await fetch(`${urls.hello}/echo?msg=soak-${n}`), 200, 'hello');
    if (!body.includes(`soak-${n}`)) throw new Error(`hello did not echo soak-${n}`);
  },
  async (urls, n) => {
    const { count } = JSON.parse(await expectStatus(await fetch(`${urls.counter}/soak/${n % COUNTER_KEYS}`), 200, 'counter')) as { count: unknown };
    if (typeof count !== 'number' || count < 1) throw new Error(`counter answered count ${String(count)}`);
  },
  async (urls) => void (await expectStatus(await fetch(`${urls['hello-wat']}/`), 200, 'hello-wat')),
  async (urls, n) => {
    const sent = `${n}:`.padEnd(4096, 'x');
    if ((await expectStatus(await fetch(`${urls.echo}/`, { method: 'POST', body: sent }), 200, 'echo')) !== sent) throw new Error('echo answered another body');
  },
  async (urls, n) => void (await expectStatus(await fetch(`${urls['oled-ticker']}/`, { method: 'POST', body: `soak ${n}` }), 200, 'oled-ticker')),
];

const DELIBERATE: readonly Step[] = [
  async (urls) => void (await expectStatus(await fetch(`${urls['oled-ticker']}/`), 405, 'oled-ticker GET (a wrong method)')),
  // A declared body over the 10 MiB limit, refused before any of it is read.
  (urls) =>
    new Promise<void>((resolve, reject) => {
      const outgoing = request(`${urls.echo}/`, { method: 'POST', headers: { 'content-length': String(11 * 2 ** 20) } }, (response) => {
        response.resume();
        outgoing.destroy();
        if (response.statusCode === 413) resolve();
        else reject(new Error(`echo with a body over the limit: ${response.statusCode}`));
      });
      outgoing.on('error', reject);
      outgoing.flushHeaders();
    }),
];

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`/proc/${pid}/status has no VmRSS`);
  return Number(kib) * 1024;
}

/** Which malloc the host runs on, from the libraries it has mapped: the soak's growth depends on it. */
async function allocatorOf(pid: number): Promise<string> {
  const maps = await readFile(`/proc/${pid}/maps`, 'utf8');
  const jemalloc = /\S*libjemalloc\S*/.exec(maps)?.[0];
  return jemalloc ? `jemalloc (${jemalloc})` : 'the C library\'s malloc (see BADGER_ALLOCATOR in the README)';
}

/** The demo's actors' URLs, from the HTTP provider's health in `get inventory`. */
async function demoUrls(): Promise<Urls> {
  const inventory = JSON.parse(await badger('get', 'inventory', '--json')) as { actors: { id: string; name: string }[]; providers: { id: string; health: { message: string } }[] };
  const served = inventory.providers.find((provider) => provider.id === 'http-server')!.health.message;
  const url = (name: keyof Urls) => {
    const id = inventory.actors.find((actor) => actor.name === name)?.id;
    const found = id === undefined ? undefined : new RegExp(`${id} on (http://127\\.0\\.0\\.1:\\d+)`).exec(served)?.[1];
    if (found === undefined) throw new Error(`the demo does not serve ${name}: ${served}`);
    return found;
  };
  return { hello: url('hello'), 'hello-wat': url('hello-wat'), counter: url('counter'), echo: url('echo'), 'oled-ticker': url('oled-ticker') };
}

export async function soakScenario(): Promise<void> {
  const minutes = Number(process.env[SOAK_MINUTES] ?? DEFAULT_MINUTES);
  const durationMs = minutes * 60_000;
  // A fifth of the run, at most two minutes: the host's compiled code and V8's heap reach their size under load.
  const warmUpSeconds = Math.min(120, (durationMs / 1000) * 0.2);
  await badger('down').catch(() => {});
  const { pid } = JSON.parse(await badger('up', '--demo', '--detached', '--json')) as { pid: number };
  try {
    console.log(`host pid ${pid} runs on ${await allocatorOf(pid)}`);
    const urls = await demoUrls();
    let requests = 0;
    let deliberate = 0;
    const errors: string[] = [];
    const began = performance.now();
    const elapsed = () => performance.now() - began;
    const client = async () => {
      while (elapsed() < durationMs) {
        const n = requests++;
        const isDeliberate = n % DELIBERATE_EVERY === DELIBERATE_EVERY - 1;
        const step = isDeliberate ? DELIBERATE[(n / DELIBERATE_EVERY) % DELIBERATE.length | 0]! : STEPS[n % STEPS.length]!;
        try {
          await step(urls, n);
          if (isDeliberate) deliberate++;
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
    };
    const samples: RssSample[] = [];
    const sample = async () => samples.push({ seconds: elapsed() / 1000, rssBytes: await rssOf(pid), requests, errors: errors.length });
    await sample();
    const sampler = setInterval(() => void sample().catch((error: Error) => errors.push(`sampling the host: ${error.message}`)), SAMPLE_EVERY_MS);
    try {
      await Promise.all(Array.from({ length: CLIENTS }, client));
    } finally {
      clearInterval(sampler);
    }
    await sample();

    console.log(rssTable(samples, warmUpSeconds));
    console.log(`${requests} requests in ${minutes} min, ${deliberate} of them deliberate errors answered as they should be; ${errors.length} other errors`);
    for (const [message, count] of [...Map.groupBy(errors, (message) => message)].map(([message, all]) => [message, all.length] as const).slice(0, 5)) console.log(`  ${count} × ${message}`);
    const growth = rssGrowth(samples, warmUpSeconds);
    if (!growth) throw new Error(`too few samples after the ${warmUpSeconds} s warm-up: run for longer`);
    const mb = (bytes: number) => bytes / 2 ** 20;
    report('soak', 'rss-growth', mb(growth.endRssBytes), mb(growth.warmRssBytes), { op: '<=', target: 0.1, on: 'growth' });
    report('soak', 'rss-peak-mb', mb(growth.peakRssBytes), mb(growth.warmRssBytes));
    report('soak', 'errors', errors.length, requests, { op: '<=', target: 0, on: 'value' });
  } finally {
    await badger('down');
  }
}
