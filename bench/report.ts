export type Goal = { readonly op: '<' | '<=' | '>' | '>='; readonly target: number; readonly on: 'value' | 'ratio' };

/**
 * Prints `BENCH <scenario> <metric> value=… baseline=… ratio=… goal=<op><n> MET|MISSED`, or
 * `goal=none` for a figure reported beside the goals rather than held to one.
 */
export function report(scenario: string, metric: string, value: number, baseline: number, goal?: Goal): void {
  const ratio = baseline === 0 ? Number.NaN : value / baseline;
  if (!goal) return void console.log(`BENCH ${scenario} ${metric} value=${round(value)} baseline=${round(baseline)} ratio=${ratio.toFixed(3)} goal=none`);
  const measured = goal.on === 'value' ? value : ratio;
  const met = { '<': measured < goal.target, '<=': measured <= goal.target, '>': measured > goal.target, '>=': measured >= goal.target }[goal.op];
  console.log(`BENCH ${scenario} ${metric} value=${round(value)} baseline=${round(baseline)} ratio=${ratio.toFixed(3)} goal=${goal.op}${goal.target} ${met ? 'MET' : 'MISSED'}`);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
