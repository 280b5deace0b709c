import { describe, expect, it } from 'vitest';
import { median, medianLine, type Figure } from '../../bench/report.ts';

const run = (value: number, baseline: number, goal?: Figure['goal']): Figure => ({ scenario: 'kv', metric: 'get-ops', value, baseline, ...(goal ? { goal } : {}) });

describe('the median of a scenario run several times', () => {
  it('judges a ratio goal on the median of the runs ratios, and prints their spread', () => {
    const runs = [run(40, 100, { op: '>=', target: 0.5, on: 'ratio' }), run(70, 100, { op: '>=', target: 0.5, on: 'ratio' }), run(55, 100, { op: '>=', target: 0.5, on: 'ratio' })];
    expect(medianLine(runs)).toBe('BENCH kv get-ops value=55 baseline=100 ratio=0.550 goal=>=0.5 MET runs=3 spread=0.400–0.700');
  });

  it('judges a value goal on the median of the values', () => {
    const goal = { op: '<=', target: 15, on: 'value' } as const;
    expect(medianLine([run(30, 300, goal), run(10, 310, goal), run(18, 290, goal)])).toBe('BENCH kv get-ops value=18 baseline=300 ratio=0.062 goal=<=15 MISSED runs=3 spread=10.000–30.000');
  });

  it('takes each median on its own: the ratio is not rebuilt from the median value and baseline', () => {
    // Ratios 0.5, 0.2, 0.9: median 0.5, while median value / median baseline would be 50 / 100.
    expect(medianLine([run(50, 100), run(40, 200), run(90, 100)])).toMatch(/value=50 baseline=100 ratio=0\.500 goal=none runs=3 spread=0\.200–0\.900$/);
  });

  it('leaves out runs with no ratio (a zero baseline), and says NaN when none has one', () => {
    expect(median([Number.NaN, 3, 1])).toBe(2);
    expect(median([Number.NaN])).toBeNaN();
    expect(medianLine([run(4, 0), run(3, 0)])).toBe('BENCH kv get-ops value=3.5 baseline=0 ratio=NaN goal=none runs=2 spread=NaN–NaN');
  });
});
