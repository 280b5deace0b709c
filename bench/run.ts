// npm run bench [-- <scenario>...] [--runs N] [--minutes N]: each scenario runs N times (3 unless
// told), each time in a process of its own, and prints one BENCH line per figure: the median of its
// runs, each measured against a baseline taken in the same run. Each run's own lines are printed
// first, as `#` lines. The soak runs only when named (it takes --minutes a run, 10 unless told).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { artifactsScenario } from './artifacts.ts';
import { buildCacheScenario } from './build-cache.ts';
import { coldStartScenario } from './cold-start.ts';
import { densityScenario } from './density.ts';
import { firstStartScenario } from './first-start.ts';
import { httpScenario } from './http.ts';
import { invokeScenario } from './invoke.ts';
import { keyValueScenario } from './keyvalue.ts';
import { latticeScenario } from './lattice.ts';
import { oledScenario } from './oled.ts';
import { providersScenario } from './providers.ts';
import { SOAK_MINUTES, soakScenario } from './soak.ts';
import { FIGURE_LINE, FIGURES_AS_JSON, figureLine, medianLine, type Figure } from './report.ts';

const SCENARIOS: Record<string, () => Promise<void>> = {
  artifacts: artifactsScenario,
  'build-cache': buildCacheScenario,
  'cold-start': coldStartScenario,
  density: densityScenario,
  'first-start': firstStartScenario,
  http: httpScenario,
  invoke: invokeScenario,
  keyvalue: keyValueScenario,
  lattice: latticeScenario,
  oled: oledScenario,
  providers: providersScenario,
  soak: soakScenario,
};
/** Scenarios that run only when named: they take minutes a run. */
const NAMED_ONLY = new Set(['soak']);
const DEFAULT_RUNS = 3;
/** Set in a run's own process: the scenario it runs. */
const ONE_SCENARIO = 'BADGER_BENCH_SCENARIO';

/** One run of a scenario in a fresh process: one run's garbage, threads and compiled code never weigh on the next run or on another scenario. */
async function runOnce(scenario: string, label: string): Promise<Figure[]> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, [ONE_SCENARIO]: scenario, ...FIGURES_AS_JSON },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const figures: Figure[] = [];
  for await (const line of createInterface({ input: child.stdout! })) {
    if (!line.startsWith(FIGURE_LINE)) {
      console.log(`# ${label}: ${line}`);
      continue;
    }
    const figure = JSON.parse(line.slice(FIGURE_LINE.length)) as Figure;
    figures.push(figure);
    console.log(`# ${label}: ${figureLine(figure)}`);
  }
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
  if (code !== 0) throw new Error(`bench ${label} failed (exit code ${code}); its output is above`);
  return figures;
}

function parseArguments(argv: readonly string[]): { scenarios: string[]; runs: number } {
  const scenarios: string[] = [];
  let runs = DEFAULT_RUNS;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') {
      runs = Number(argv[++i]);
      if (!Number.isInteger(runs) || runs < 1) {
        console.error(`--runs ${argv[i] ?? ''}: give a whole number of runs, 1 or more`);
        process.exit(2);
      }
    } else if (argv[i] === '--minutes') {
      const minutes = Number(argv[++i]);
      if (!Number.isFinite(minutes) || minutes < 0.5) {
        console.error(`--minutes ${argv[i] ?? ''}: give the soak's length in minutes, 0.5 or more`);
        process.exit(2);
      }
      process.env[SOAK_MINUTES] = String(minutes);
    } else {
      scenarios.push(argv[i]!);
    }
  }
  const unknown = scenarios.filter((name) => !(name in SCENARIOS));
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}; scenarios: ${Object.keys(SCENARIOS).join(', ')}`);
    process.exit(2);
  }
  return { scenarios: scenarios.length > 0 ? scenarios : Object.keys(SCENARIOS).filter((name) => !NAMED_ONLY.has(name)), runs };
}

const only = process.env[ONE_SCENARIO];
if (only !== undefined) {
  await SCENARIOS[only]!();
} else {
  const { scenarios, runs } = parseArguments(process.argv.slice(2));
  for (const scenario of scenarios) {
    const byMetric = new Map<string, Figure[]>();
    for (let run = 1; run <= runs; run++) {
      for (const figure of await runOnce(scenario, `${scenario} run ${run}/${runs}`)) {
        byMetric.set(figure.metric, [...(byMetric.get(figure.metric) ?? []), figure]);
      }
    }
    for (const figures of byMetric.values()) console.log(medianLine(figures));
  }
}
