/** Day counters: pure increments and sums, and the stored buckets with their 90-day lifetime. */
import assert from 'node:assert/strict';
import {
  apply,
  dayOf,
  Portfolio,
  PORTFOLIO_TTL_MS,
  sum,
  type DayCounters,
} from '../../src/orchestration/portfolio.js';
import { HOUR, manualStore, TENANT } from './orchestration-fixtures.js';

const empty = (day: string): DayCounters => ({
  scope: 's',
  day,
  prsOpened: 0,
  prsMerged: 0,
  issuesOpened: 0,
  firstReview: {},
  toMerge: {},
  reviews: {},
  redMs: 0,
  alerts: 0,
  loopsStopped: 0,
});

describe('portfolio', function () {
  it('adds increments without touching the day it was given', function () {
    const day = empty('2026-06-01');
    const next = apply(apply(day, { prsOpened: 1, reviewer: 'bob', firstReviewMs: HOUR }), {
      reviewer: 'bob',
      alerts: 2,
      loopsStopped: 1,
      stale: { prs: 3, issues: 4 },
    });
    assert.deepEqual(day, empty('2026-06-01'));
    assert.deepEqual(
      [
        next.prsOpened,
        next.reviews,
        next.alerts,
        next.loopsStopped,
        next.stalePrs,
        next.staleIssues,
      ],
      [1, { bob: 2 }, 2, 1, 3, 4],
    );
  });

  it('sums a window: counts add, the newest stale gauge wins, reviewers busiest first', function () {
    const a = apply(empty('2026-06-01'), {
      prsOpened: 2,
      reviewer: 'amy',
      redMs: 30 * 60_000,
      stale: { prs: 9, issues: 9 },
    });
    const b = apply(
      apply(empty('2026-06-02'), { prsOpened: 1, reviewer: 'zed', stale: { prs: 1, issues: 2 } }),
      { reviewer: 'zed' },
    );
    const figures = sum('s', 7, [b, a]);
    assert.deepEqual(
      [figures.prsOpened, figures.redMinutes, figures.stalePrs, figures.staleIssues],
      [3, 30, 1, 2],
    );
    assert.deepEqual(figures.reviewLoad, [
      { login: 'zed', reviews: 2 },
      { login: 'amy', reviews: 1 },
    ]);
    assert.deepEqual(figures.firstReview, { count: 0 });
  });

  it('stores one bucket per scope and day, reads only the window, and lets each go after 90 days', async function () {
    const { store, clock } = await manualStore(Date.UTC(2026, 5, 10, 12));
    const portfolio = new Portfolio(store);
    await portfolio.add(TENANT, ['org:acme'], clock.now() - 10 * 24 * HOUR, { prsOpened: 5 });
    await portfolio.add(TENANT, ['org:acme', 'platform'], clock.now(), { prsOpened: 1 });
    await Promise.all(
      [1, 2, 3].map(() => portfolio.add(TENANT, ['org:acme'], clock.now(), { prsMerged: 1 })),
    );
    assert.equal((await portfolio.figures(TENANT, 'org:acme', 7, clock.now())).prsOpened, 1);
    assert.equal((await portfolio.figures(TENANT, 'org:acme', 30, clock.now())).prsOpened, 6);
    assert.equal(
      (await portfolio.figures(TENANT, 'org:acme', 7, clock.now())).prsMerged,
      3,
      'concurrent writers to one day lose nothing',
    );
    assert.equal((await portfolio.figures(TENANT, 'platform', 30, clock.now())).prsOpened, 1);
    const bucket = await store.getRecord('portfolio', `${TENANT}|org:acme`, dayOf(clock.now()));
    assert.equal(
      bucket?.expiresAt,
      Date.parse(`${dayOf(clock.now())}T00:00:00Z`) + PORTFOLIO_TTL_MS + 24 * HOUR,
    );
    await store.close();
  });
});
