/**
 * A small log-scale histogram of durations, four buckets per doubling from one minute (each
 * bucket's upper bound is at most 19% above its lower one), stored sparse as `{ bucket: count }`.
 * Hand-written rather than hdr-histogram-js: days must add up by summing plain JSON counts in any
 * store, and 90 days of one scope fit in a few KB; percentiles are read as the bucket's upper bound.
 */
export type Histogram = Record<string, number>;

const PER_DOUBLING = 4;
const MINUTE = 60_000;
/** 2^24 minutes (32 years): anything longer lands in the last bucket. */
const LAST = 24 * PER_DOUBLING;

export function bucketOf(ms: number): number {
  const minutes = Math.max(ms, 0) / MINUTE;
  if (!Number.isFinite(minutes) || minutes <= 1) return 0;
  return Math.min(LAST, Math.ceil(Math.log2(minutes) * PER_DOUBLING));
}

export function record(histogram: Histogram, ms: number): void {
  const bucket = String(bucketOf(ms));
  histogram[bucket] = (histogram[bucket] ?? 0) + 1;
}

export function merge(into: Histogram, from: Histogram): void {
  for (const [bucket, count] of Object.entries(from)) into[bucket] = (into[bucket] ?? 0) + count;
}

export function count(histogram: Histogram): number {
  return Object.values(histogram).reduce((sum, n) => sum + n, 0);
}

/** The p-th percentile (0..1) in ms, as its bucket's upper bound; undefined when empty. */
export function percentile(histogram: Histogram, p: number): number | undefined {
  const total = count(histogram);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const bucket of Object.keys(histogram)
    .map(Number)
    .sort((a, b) => a - b)) {
    seen += histogram[String(bucket)]!;
    if (seen >= rank) return Math.round(2 ** (bucket / PER_DOUBLING) * MINUTE);
  }
  return undefined;
}
