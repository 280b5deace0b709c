import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { generateKeyPair } from '../claims/index.ts';
import { buildActor, loadActorProject } from '../toolchain/index.ts';
import { report } from './report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TARGET = join(ROOT, 'bench', 'http-target.ts');
const JCO = join(ROOT, 'node_modules', '.bin', 'jco');
/**
 * Seconds each server is measured, in ROUNDS turns of a second. hello-ts-added-us is a difference
 * of two rates (15 µs is a tenth of hello's time a request), and one-second rates of the same
 * server drifted by 10 % from round to round here: with 4 rounds the three runs' figures spread
 * from -7 to +26 µs; with 8, each side's mean moves much less.
 */
const SECONDS = 8;
/**
 * Load before each server is measured. An actor's listening thread serves 20–30 % fewer requests
 * in its first seconds than later (its bindings and the guest are compiled again as they get hot,
 * on the same two cores the load uses), while node:http is at its pace after one: every server gets
 * the warm-up the slowest needs, so that each is measured at the pace it keeps. hello (12 MB of
 * Wasm) served 5.1k requests a second in the first rounds after 5 s of warm-up and 8k in later
 * ones, in-process and hosted alike.
 */
const WARM_UP_SECONDS = 10;
const ROUNDS = 8;

interface Load {
  readonly rps: number;
  readonly p99Ms: number;
}

/** Starts a server process and resolves with its URL (`listening`'s first group) once it prints it. */
function start(command: string, args: string[], listening: RegExp): Promise<{ url: string; child: ChildProcess }> {
  // In a process group of its own, so that stopping it stops whatever it started too (jco serve runs its server in a child).
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')} did not start in 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      const match = listening.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}

/**
 * Servers under load from 10 connections in turns (WARM_UP_SECONDS each, then ROUNDS of SECONDS /
 * ROUNDS each), so that a machine whose speed drifts gives no server the quiet part of the run.
 * Their mean rates, and the worst p99 of each; the servers are stopped after.
 */
async function measureInTurns<Name extends string>(servers: Readonly<Record<Name, Promise<{ url: string; child: ChildProcess }>>>): Promise<Record<Name, Load>> {
  const started = await Promise.all(Object.entries(servers).map(async ([name, server]) => [name as Name, await (server as Promise<{ url: string; child: ChildProcess }>)] as const));
  try {
    const totals = new Map<Name, { requests: number; seconds: number; p99Ms: number }>();
    for (const [name, { url }] of started) {
      await autocannon({ url, connections: 10, duration: WARM_UP_SECONDS });
      totals.set(name, { requests: 0, seconds: 0, p99Ms: 0 });
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, { url }] of started) {
        const result = await autocannon({ url, connections: 10, duration: SECONDS / ROUNDS });
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
        const total = totals.get(name)!;
        total.requests += result.requests.total;
        total.seconds += result.duration;
        total.p99Ms = Math.max(total.p99Ms, result.latency.p99);
      }
    }
    return Object.fromEntries([...totals].map(([name, total]) => [name, { rps: total.requests / total.seconds, p99Ms: total.p99Ms }])) as Record<Name, Load>;
  } finally {
    for (const [, { child }] of started) {
      child.stdout!.destroy();
      child.stderr!.destroy();
      process.kill(-child.pid!, 'SIGTERM');
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `hello` built for the standard wasi:http/proxy world, which `jco serve` runs: the same source,
 * built once under node_modules/.cache (the toolchain skips it when nothing changed).
 */
async function helloForJcoServe(): Promise<string> {
  const project = join(ROOT, 'node_modules', '.cache', 'badger-bench', 'hello-proxy');
  await mkdir(project, { recursive: true });
  await rm(join(project, 'src'), { recursive: true, force: true });
  await cp(join(ROOT, 'actors-src', 'hello', 'src'), join(project, 'src'), { recursive: true });
  const config = (await readFile(join(ROOT, 'actors-src', 'hello', 'badger.toml'), 'utf8')).replace(/^world = .*$/m, 'world = "wasi:http/proxy"');
  await writeFile(join(project, 'badger.toml'), config);
  return (await buildActor(await loadActorProject(project), { issuer: generateKeyPair('account'), subject: generateKeyPair('component') })).output;
}

const serve = (...args: string[]) => start(process.execPath, [TARGET, ...args], /LISTENING (\S+)/);

/**
 * An actor served at one instance (one listening thread, the plain server's share of the machine)
 * and at one per core, as a user scales it; the better of the two is its figure. A cheap handler
 * does best alone, since the load generator needs a core too; a costly one gains from a second.
 * With `alongside`, those servers are measured in turns with the actor's (see measureInTurns).
 */
async function measureActor<Other extends string>(
  name: string,
  component: string,
  alongside = {} as Readonly<Record<Other, Promise<{ url: string; child: ChildProcess }>>>,
): Promise<{ readonly best: Load; readonly single: Load; readonly others: Record<Other, Load> }> {
  const counts = [...new Set([1, availableParallelism()])];
  const actors = Object.fromEntries(counts.map((instances) => [`${instances}`, serve('actor', component, String(instances))]));
  const loads = await measureInTurns<string>({ ...alongside, ...actors });
  for (const instances of counts) console.log(`  ${name} with ${instances} instance(s): ${Math.round(loads[`${instances}`]!.rps)} req/s, p99 ${loads[`${instances}`]!.p99Ms} ms`);
  const best = counts.map((instances) => loads[`${instances}`]!).reduce((best, load) => (load.rps > best.rps ? load : best));
  return { best, single: loads['1']!, others: Object.fromEntries(Object.keys(alongside).map((other) => [other, loads[other]!])) as Record<Other, Load> };
}

/**
 * Requests per second and p99 latency under autocannon, in one run: our provider with hello-wat in
 * turns with plain node:http and with hello-wat under node:http in a process with no host (what
 * the guest call and the request and response bridge cost with no host at all: the most any host
 * could reach, printed beside the goal), with hello (TypeScript) in turns with the same component
 * under node:http in a process with no host, and `jco serve` with hello built for it (printed
 * beside the goals). For hello, the host's added time per request: one listening thread's mean
 * time per request, less the mean time of the same component serving the same load in a process
 * with no host (node:http, the same request and response bridge, its instance reused). Against the
 * guest call alone, node:http and the loopback (about 80 µs a request here) counted as the host's.
 */
export async function httpScenario(): Promise<void> {
  const built = (name: string) => join(ROOT, 'actors-src', name, 'build', `${name}_s.wasm`);
  const {
    best: wat,
    others: { plain, inProcess: watInProcess },
  } = await measureActor('hello-wat', built('hello-wat'), { plain: serve('plain'), inProcess: serve('in-process', built('hello-wat')) });
  // One listening thread against the same component serving the same requests in one thread with no host (see http-target.ts).
  const {
    best: ts,
    single: tsSingle,
    others: { inProcess },
  } = await measureActor('hello', built('hello'), { inProcess: serve('in-process', built('hello')) });
  console.log(`  hello in-process under node:http, no host: ${Math.round(inProcess.rps)} req/s`);
  const port = await freePort();
  // jco serve prints its host as "localhost"; the URL asks for the address it was given.
  const { jcoServe } = await measureInTurns({
    jcoServe: start(process.execPath, [JCO, 'serve', await helloForJcoServe(), '--host', '127.0.0.1', '--port', String(port)], /Server listening @ \S+:(\d+)/).then((server) => ({
      ...server,
      url: `http://127.0.0.1:${server.url}/`,
    })),
  });
  report('http', 'hello-wat-rps', wat.rps, plain.rps, { op: '>=', target: 0.6, on: 'ratio' });
  report('http', 'hello-wat-in-process-rps', watInProcess.rps, plain.rps);
  report('http', 'hello-wat-vs-in-process-rps', wat.rps, watInProcess.rps);
  // One listening thread serves one request at a time: its mean time per request, less the same
  // requests' time served by node:http and the same bridge in one thread with no host.
  const withoutHostUs = 1e6 / inProcess.rps;
  report('http', 'hello-ts-added-us', 1e6 / tsSingle.rps - withoutHostUs, withoutHostUs, { op: '<=', target: 15, on: 'value' });
  report('http', 'hello-ts-rps', ts.rps, jcoServe.rps);
  report('http', 'hello-wat-p99-ms', wat.p99Ms, plain.p99Ms);
  report('http', 'hello-ts-p99-ms', ts.p99Ms, jcoServe.p99Ms);
  report('http', 'hello-ts-vs-plain-rps', ts.rps, plain.rps);
}
