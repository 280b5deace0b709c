import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { report } from './report.ts';

const ACTORS = fileURLToPath(new URL('../actors-src/', import.meta.url));
const HOST = fileURLToPath(new URL('./density-host.ts', import.meta.url));
const MB = 1024 * 1024;
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Density {
  /** The host's RSS growth per actor, once each answered one request. */
  readonly perActor: number;
  readonly total: number;
  readonly bareInstance: number;
  readonly startMs: number;
  readonly instances: number;
  readonly threads: number;
}

/** A GET with a connection of its own, closed after: the host keeps no socket for it. */
function getOnce(address: string): Promise<number> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const sent = request({ host, port, path: '/', agent: false, headers: { connection: 'close' } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    sent.on('error', reject);
    sent.end();
  });
}

/** One density run in a fresh process: `count` actors of one component, each answering once. */
async function densityRun(component: string, count: number): Promise<Density> {
  const child = spawn(process.execPath, ['--expose-gc', HOST, component, String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (tag: string) => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) throw new Error(`the density host ended before ${tag}`);
      if ((value as string).startsWith(`${tag} `)) return JSON.parse((value as string).slice(tag.length + 1));
    }
  };
  try {
    const baseline = (await next('BASELINE')) as { rss: number; bareInstance: number };
    const { addresses, startMs } = (await next('ADDRESSES')) as { addresses: string[]; startMs: number };
    // A few at a time: the load generator is not what is measured.
    for (let from = 0; from < addresses.length; from += 16) {
      const statuses = await Promise.all(addresses.slice(from, from + 16).map(getOnce));
      const wrong = statuses.find((status) => status !== 200);
      if (wrong !== undefined) throw new Error(`an actor answered ${wrong}`);
    }
    child.stdin!.write('measure\n');
    const measured = (await next('MEASURED')) as { rss: number; instances: number; threads: number };
    return { perActor: (measured.rss - baseline.rss) / count, total: measured.rss, bareInstance: baseline.bareInstance, startMs, instances: measured.instances, threads: measured.threads };
  } finally {
    // Told to stop, the host removes what it wrote (1.3 GB for a thousand actors); one that is stuck is killed.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      const stuck = setTimeout(() => child.kill(), 60_000);
      await exited;
      clearTimeout(stuck);
    }
  }
}

/**
 * How many actors a host holds: 1,000 `hello-wat` actors and 100 `hello` ones, one code each
 * under as many signatures, each linked to HTTP on its own port and answering once. The host's
 * RSS growth per actor is held against one bare instance of the same component (its linear
 * memory and tables, measured in the same process). Three runs each; the median is reported.
 */
export async function densityScenario(): Promise<void> {
  for (const [name, count] of [['hello-wat', 1000], ['hello', 100]] as const) {
    const runs: Density[] = [];
    for (let run = 0; run < 3; run++) runs.push(await densityRun(`${ACTORS}${name}/build/${name}_s.wasm`, count));
    const perActor = runs.map((run) => run.perActor / MB);
    const totals = runs.map((run) => run.total / MB);
    const bare = median(runs.map((run) => run.bareInstance)) / MB;
    const spread = (values: number[]) => `${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;
    console.log(
      `# density ${name} x${count}: RSS per actor ${spread(perActor)} MB, host RSS ${spread(totals)} MB, bare instance ${bare.toFixed(2)} MB, ` +
        `${runs[0]!.threads} shared threads, ${runs.map((run) => run.instances).join('/')} live instances, started in ${spread(runs.map((run) => run.startMs / 1000))} s`,
    );
    if (name === 'hello-wat') {
      report('density', `${name}-rss-per-actor-mb`, median(perActor), bare, { op: '<=', target: 0.5, on: 'value' });
      report('density', `${name}-host-rss-mb`, median(totals), bare * count, { op: '<=', target: 512, on: 'value' });
    } else {
      report('density', `${name}-rss-per-actor-mb`, median(perActor), bare, { op: '<=', target: 2, on: 'ratio' });
    }
  }
}
