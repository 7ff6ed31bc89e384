/**
 * Portfolio health: per scope (an organisation, `org:acme`, or a named set of repositories) and per
 * UTC day, one `portfolio` record of counters kept for 90 days, updated incrementally as events
 * pass: PRs opened and merged, time to first review and to merge (histograms, so p50/p90 over any
 * window add up), reviews per person, minutes the default branch was red, stale PRs and issues
 * (a daily gauge set by the tick), alert volume, loops stopped. `portfolio(scope, days)` sums at
 * most 90 records of one partition, so its cost does not grow with the number of repositories.
 */
import { ConflictError, type Store } from '../store/store.js';
import {
  merge,
  percentile,
  record as recordDuration,
  type Histogram,
} from './duration-histogram.js';

export interface DayCounters {
  scope: string;
  day: string;
  prsOpened: number;
  prsMerged: number;
  issuesOpened: number;
  firstReview: Histogram;
  toMerge: Histogram;
  reviews: Record<string, number>;
  redMs: number;
  stalePrs?: number;
  staleIssues?: number;
  alerts: number;
  loopsStopped: number;
}

/** One event's contribution to a day; every field optional. */
export interface Increment {
  prsOpened?: number;
  prsMerged?: number;
  issuesOpened?: number;
  firstReviewMs?: number;
  toMergeMs?: number;
  reviewer?: string;
  redMs?: number;
  alerts?: number;
  loopsStopped?: number;
  stale?: { prs: number; issues: number };
}

export interface PortfolioFigures {
  scope: string;
  days: number;
  prsOpened: number;
  prsMerged: number;
  issuesOpened: number;
  firstReview: { p50?: number; p90?: number; count: number };
  toMerge: { p50?: number; p90?: number; count: number };
  /** Reviewers with the most reviews first. */
  reviewLoad: Array<{ login: string; reviews: number }>;
  redMinutes: number;
  stalePrs: number;
  staleIssues: number;
  alerts: number;
  loopsStopped: number;
}

export const PORTFOLIO_TTL_MS = 90 * 24 * 3_600_000;
const DAY_MS = 24 * 3_600_000;
/** Concurrent writers to one day (two repositories of one org at once) retry this often. */
const WRITE_ATTEMPTS = 8;

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function empty(scope: string, day: string): DayCounters {
  return {
    scope,
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
  };
}

/** Pure: a day with one increment added. */
export function apply(day: DayCounters, increment: Increment): DayCounters {
  const next: DayCounters = {
    ...day,
    firstReview: { ...day.firstReview },
    toMerge: { ...day.toMerge },
    reviews: { ...day.reviews },
  };
  next.prsOpened += increment.prsOpened ?? 0;
  next.prsMerged += increment.prsMerged ?? 0;
  next.issuesOpened += increment.issuesOpened ?? 0;
  next.redMs += increment.redMs ?? 0;
  next.alerts += increment.alerts ?? 0;
  next.loopsStopped += increment.loopsStopped ?? 0;
  if (increment.firstReviewMs !== undefined)
    recordDuration(next.firstReview, increment.firstReviewMs);
  if (increment.toMergeMs !== undefined) recordDuration(next.toMerge, increment.toMergeMs);
  if (increment.reviewer)
    next.reviews[increment.reviewer] = (next.reviews[increment.reviewer] ?? 0) + 1;
  if (increment.stale) {
    next.stalePrs = increment.stale.prs;
    next.staleIssues = increment.stale.issues;
  }
  return next;
}

/** Pure: the figures of a window of days (newest gauge wins for stale counts). */
export function sum(
  scope: string,
  days: number,
  records: readonly DayCounters[],
): PortfolioFigures {
  const firstReview: Histogram = {};
  const toMerge: Histogram = {};
  const reviews: Record<string, number> = {};
  const figures = {
    prsOpened: 0,
    prsMerged: 0,
    issuesOpened: 0,
    redMs: 0,
    alerts: 0,
    loopsStopped: 0,
  };
  let latest: DayCounters | undefined;
  for (const day of records) {
    figures.prsOpened += day.prsOpened;
    figures.prsMerged += day.prsMerged;
    figures.issuesOpened += day.issuesOpened;
    figures.redMs += day.redMs;
    figures.alerts += day.alerts;
    figures.loopsStopped += day.loopsStopped;
    merge(firstReview, day.firstReview);
    merge(toMerge, day.toMerge);
    for (const [login, n] of Object.entries(day.reviews))
      reviews[login] = (reviews[login] ?? 0) + n;
    if (day.stalePrs !== undefined && (!latest || day.day > latest.day)) latest = day;
  }
  const spread = (histogram: Histogram) => {
    const total = Object.values(histogram).reduce((a, b) => a + b, 0);
    const p50 = percentile(histogram, 0.5);
    const p90 = percentile(histogram, 0.9);
    return { count: total, ...(p50 !== undefined && { p50 }), ...(p90 !== undefined && { p90 }) };
  };
  return {
    scope,
    days,
    prsOpened: figures.prsOpened,
    prsMerged: figures.prsMerged,
    issuesOpened: figures.issuesOpened,
    firstReview: spread(firstReview),
    toMerge: spread(toMerge),
    reviewLoad: Object.entries(reviews)
      .map(([login, n]) => ({ login, reviews: n }))
      .sort((a, b) => b.reviews - a.reviews || a.login.localeCompare(b.login)),
    redMinutes: Math.round(figures.redMs / 60_000),
    stalePrs: latest?.stalePrs ?? 0,
    staleIssues: latest?.staleIssues ?? 0,
    alerts: figures.alerts,
    loopsStopped: figures.loopsStopped,
  };
}

export class Portfolio {
  constructor(private readonly store: Store) {}

  /** Adds one increment to each scope's bucket for the day of `at`. */
  async add(
    tenantId: string,
    scopes: readonly string[],
    at: number,
    increment: Increment,
  ): Promise<void> {
    await Promise.all(scopes.map((scope) => this.addTo(tenantId, scope, at, increment)));
  }

  /** The figures of the last `days` days (today included). */
  async figures(
    tenantId: string,
    scope: string,
    days: number,
    now: number,
  ): Promise<PortfolioFigures> {
    const since = dayOf(now - (days - 1) * DAY_MS);
    const records = await this.store.queryRecords<DayCounters>({
      kind: 'portfolio',
      tenantId,
      partition: partitionOf(tenantId, scope),
      limit: 100,
    });
    return sum(
      scope,
      days,
      records.map((record) => record.data).filter((day) => day.day >= since),
    );
  }

  private async addTo(
    tenantId: string,
    scope: string,
    at: number,
    increment: Increment,
  ): Promise<void> {
    const partition = partitionOf(tenantId, scope);
    const day = dayOf(at);
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.store.getRecord<DayCounters>('portfolio', partition, day);
      const data = apply(current?.data ?? empty(scope, day), increment);
      try {
        await this.store.putRecord(
          {
            kind: 'portfolio',
            tenantId,
            partition,
            id: day,
            data,
            expiresAt: Date.parse(`${day}T00:00:00Z`) + PORTFOLIO_TTL_MS + DAY_MS,
          },
          { ifMatch: current?.etag ?? null },
        );
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }
}

function partitionOf(tenantId: string, scope: string): string {
  return `${tenantId}|${scope.toLowerCase()}`;
}
