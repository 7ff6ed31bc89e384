/** The log-scale histogram: buckets within 19%, percentiles that add up across days. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  bucketOf,
  count,
  merge,
  percentile,
  record,
  type Histogram,
} from '../../src/orchestration/duration-histogram.js';

const MINUTE = 60_000;

describe('duration histogram', function () {
  it('reads a percentile back as its bucket upper bound, at most 19% above the value', function () {
    fc.assert(
      fc.property(fc.integer({ min: 2 * MINUTE, max: 365 * 24 * 60 * MINUTE }), (ms) => {
        const h: Histogram = {};
        record(h, ms);
        const read = percentile(h, 0.5)!;
        assert.ok(read >= ms - 1 && read <= ms * 1.19 + 1, `${ms} read as ${read}`);
      }),
    );
  });

  it('puts nonsense durations in the first or the last bucket instead of failing', function () {
    assert.equal(bucketOf(-5), 0);
    assert.equal(bucketOf(Number.NaN), 0);
    assert.equal(bucketOf(Number.POSITIVE_INFINITY), 0);
    assert.equal(bucketOf(1e15), 96);
  });

  it('merges days by adding counts, so p50 and p90 of a window come from all its samples', function () {
    const monday: Histogram = {};
    const tuesday: Histogram = {};
    for (let i = 1; i <= 9; i += 1) record(monday, i * 10 * MINUTE);
    record(tuesday, 48 * 60 * MINUTE);
    const week: Histogram = {};
    merge(week, monday);
    merge(week, tuesday);
    assert.equal(count(week), 10);
    const p50 = percentile(week, 0.5)!;
    assert.ok(p50 >= 50 * MINUTE && p50 < 60 * MINUTE);
    assert.ok(percentile(week, 0.9)! >= 90 * MINUTE && percentile(week, 0.9)! < 48 * 60 * MINUTE);
    assert.ok(percentile(week, 1)! >= 48 * 60 * MINUTE);
    assert.equal(percentile({}, 0.5), undefined);
  });
});
