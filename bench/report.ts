/** What a goal reads: the value, the ratio, or the growth (the ratio less one: value over a baseline taken earlier). */
export type Goal = { readonly op: '<' | '<=' | '>' | '>='; readonly target: number; readonly on: 'value' | 'ratio' | 'growth' };

/** One figure of a scenario: what was measured, against what, and the goal it is held to, if any. */
export interface Figure {
  readonly scenario: string;
  readonly metric: string;
  readonly value: number;
  readonly baseline: number;
  readonly goal?: Goal;
}

/** How a line printed from several runs says so: their count, and the spread of the figure the goal reads. */
export interface Spread {
  readonly runs: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Set by run.ts for a scenario run in a process of its own: each figure goes to the parent as
 * one JSON line after this prefix, and the parent prints the median of the runs.
 */
export const FIGURE_LINE = 'BENCH-FIGURE ';
/** The environment run.ts gives such a process. */
export const FIGURES_AS_JSON = { BADGER_BENCH_FIGURES: 'json' } as const;
const TO_PARENT = process.env.BADGER_BENCH_FIGURES === FIGURES_AS_JSON.BADGER_BENCH_FIGURES;

/**
 * Prints `BENCH <scenario> <metric> value=… baseline=… ratio=… goal=<op><n> MET|MISSED`, or
 * `goal=none` for a figure reported beside the goals rather than held to one.
 */
export function report(scenario: string, metric: string, value: number, baseline: number, goal?: Goal): void {
  const figure: Figure = { scenario, metric, value, baseline, ...(goal ? { goal } : {}) };
  console.log(TO_PARENT ? `${FIGURE_LINE}${JSON.stringify(figure)}` : figureLine(figure));
}

export function ratioOf(figure: Pick<Figure, 'value' | 'baseline'>): number {
  return figure.baseline === 0 ? Number.NaN : figure.value / figure.baseline;
}

/** What the goal reads (the ratio when there is no goal). */
function judged(figure: Figure, ratio = ratioOf(figure)): number {
  if (figure.goal?.on === 'value') return figure.value;
  return figure.goal?.on === 'growth' ? ratio - 1 : ratio;
}

/** The printed line, with the median's spread when it is the median of several runs. */
export function figureLine(figure: Figure, ratio = ratioOf(figure), spread?: Spread): string {
  const head = `BENCH ${figure.scenario} ${figure.metric} value=${round(figure.value)} baseline=${round(figure.baseline)} ratio=${ratio.toFixed(3)}`;
  const tail = spread ? ` runs=${spread.runs} spread=${spread.low.toFixed(3)}–${spread.high.toFixed(3)}` : '';
  const { goal } = figure;
  if (!goal) return `${head} goal=none${tail}`;
  const measured = judged(figure, ratio);
  const met = { '<': measured < goal.target, '<=': measured <= goal.target, '>': measured > goal.target, '>=': measured >= goal.target }[goal.op];
  return `${head} goal=${goal.op}${goal.target} ${met ? 'MET' : 'MISSED'}${tail}`;
}

/**
 * Pure: one figure's runs (the same scenario and metric) as one line: the median of the values,
 * of the baselines and of the ratios, each taken on its own; the goal is judged on the median of
 * what it reads, and the spread is that figure's lowest and highest run.
 */
export function medianLine(runs: readonly Figure[]): string {
  const figure: Figure = { ...runs[0]!, value: median(runs.map((run) => run.value)), baseline: median(runs.map((run) => run.baseline)) };
  const ratio = median(runs.map(ratioOf));
  const read = runs.map((run) => judged(run)).filter(Number.isFinite);
  const spread = { runs: runs.length, low: read.length > 0 ? Math.min(...read) : Number.NaN, high: read.length > 0 ? Math.max(...read) : Number.NaN };
  return figureLine(figure, ratio, spread);
}

/** Pure: the median of the finite numbers (the mean of the middle two for an even count); NaN when there are none. */
export function median(numbers: readonly number[]): number {
  const sorted = numbers.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
