import { table } from '../cli/table.ts';
import { median } from './report.ts';

/** One look at the host during a soak: its RSS, and the load's running totals then. */
export interface RssSample {
  readonly seconds: number;
  readonly rssBytes: number;
  readonly requests: number;
  readonly errors: number;
}

export interface RssGrowth {
  /** The median RSS of the first samples after the warm-up: what the growth is measured from. */
  readonly warmRssBytes: number;
  /** The median RSS of the last samples, as many as `warmRssBytes` reads. */
  readonly endRssBytes: number;
  /** The highest RSS after the warm-up. */
  readonly peakRssBytes: number;
  readonly growth: number;
}

/** Samples each end of the measured span reads: a median, so that one GC's dip or spike moves neither end. */
const END_SAMPLES = 6;

/**
 * Pure: how much the RSS grew after the warm-up, from the median of the first samples taken after
 * it to the median of the last ones. Undefined when fewer than two samples follow the warm-up.
 */
export function rssGrowth(samples: readonly RssSample[], warmUpSeconds: number): RssGrowth | undefined {
  const measured = samples.filter((sample) => sample.seconds >= warmUpSeconds);
  if (measured.length < 2) return undefined;
  const ends = Math.max(1, Math.min(END_SAMPLES, Math.floor(measured.length / 3)));
  const warmRssBytes = median(measured.slice(0, ends).map((sample) => sample.rssBytes));
  const endRssBytes = median(measured.slice(-ends).map((sample) => sample.rssBytes));
  return { warmRssBytes, endRssBytes, peakRssBytes: Math.max(...measured.map((sample) => sample.rssBytes)), growth: endRssBytes / warmRssBytes - 1 };
}

/**
 * Pure: the samples as a small table of at most `rows` lines, evenly spread and always with the
 * first and the last, each with the requests and errors since the line before it.
 */
export function rssTable(samples: readonly RssSample[], warmUpSeconds: number, rows = 13): string {
  const step = Math.max(1, Math.ceil((samples.length - 1) / (rows - 1)));
  const picked = samples.filter((_, index) => index % step === 0 || index === samples.length - 1);
  const lines = picked.map((sample, index) => {
    const before = index === 0 ? { requests: 0, errors: 0 } : picked[index - 1]!;
    return [
      `${Math.round(sample.seconds)}${sample.seconds < warmUpSeconds ? ' (warm-up)' : ''}`,
      (sample.rssBytes / 2 ** 20).toFixed(0),
      String(sample.requests - before.requests),
      String(sample.errors - before.errors),
    ];
  });
  return table(['seconds', 'rss MB', 'requests', 'errors'], lines);
}
