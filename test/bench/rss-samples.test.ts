import { describe, expect, it } from 'vitest';
import { medianLine } from '../../bench/report.ts';
import { rssGrowth, rssTable, type RssSample } from '../../bench/rss-samples.ts';

const MB = 2 ** 20;
/** Samples every 5 s, with these RSS figures in MB, 100 requests between each, and one error by the fourth (the figures are running totals). */
const samples = (rss: readonly number[]): RssSample[] => rss.map((mb, index) => ({ seconds: index * 5, rssBytes: mb * MB, requests: index * 100, errors: index >= 3 ? 1 : 0 }));

describe('the soak bench reading its RSS samples', () => {
  it('measures growth from the first samples after the warm-up to the last ones, each end a median', () => {
    // Warm-up: the first two samples (0 and 5 s). After it, 9 samples: each end reads 3.
    const growth = rssGrowth(samples([100, 400, 500, 520, 480, 510, 505, 530, 560, 540, 550]), 10)!;
    expect(growth.warmRssBytes).toBe(500 * MB);
    expect(growth.endRssBytes).toBe(550 * MB);
    expect(growth.peakRssBytes).toBe(560 * MB);
    expect(growth.growth).toBeCloseTo(0.1);
  });

  it('leaves one spike out of either end', () => {
    expect(rssGrowth(samples([500, 900, 500, 500, 500, 500, 500, 500, 900, 500]), 0)!.growth).toBe(0);
  });

  it('has no figure when fewer than two samples follow the warm-up', () => {
    expect(rssGrowth(samples([100, 200, 300]), 10)).toBeUndefined();
  });

  it('prints at most the rows asked for, the first and the last among them, with the requests and errors between rows', () => {
    const printed = rssTable(samples(Array.from({ length: 25 }, (_, index) => 400 + index)), 30, 5).split('\n');
    expect(printed[0]).toMatch(/^SECONDS\s+RSS MB\s+REQUESTS\s+ERRORS$/);
    expect(printed.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['0 (warm-up)', '400', '0', '0'],
      ['30', '406', '600', '1'],
      ['60', '412', '600', '0'],
      ['90', '418', '600', '0'],
      ['120', '424', '600', '0'],
    ]);
  });

  it('judges the growth goal on the ratio less one', () => {
    const goal = { op: '<=', target: 0.1, on: 'growth' } as const;
    const line = medianLine([
      { scenario: 'soak', metric: 'rss-growth', value: 530, baseline: 500, goal },
      { scenario: 'soak', metric: 'rss-growth', value: 600, baseline: 500, goal },
      { scenario: 'soak', metric: 'rss-growth', value: 510, baseline: 500, goal },
    ]);
    expect(line).toBe('BENCH soak rss-growth value=530 baseline=500 ratio=1.060 goal=<=0.1 MET runs=3 spread=0.020–0.200');
  });
});
