/**
 * The soak's verdict over its interval samples. "Flat once warm" is judged on the second half of
 * the run (the first half lets the JIT, caches, SQLite's page cache and V8's heap sizing settle):
 * a least-squares slope per minute, which a single GC or page-in step moves far less than
 * last-minus-first does.
 */
export interface SoakSample {
  /** Seconds since the load began. */
  t: number;
  rssMb: number;
  heapMb: number;
  heapAfterGcMb?: number;
  lagP99Ms: number;
  handles: number;
  inboxOpen: number;
  outbox: number;
  errors: number;
}

export interface Limits {
  /** MB per minute, over the second half. */
  rssSlope: number;
  heapSlope: number;
  /** Largest RSS growth from the first warm sample to the last, as a fraction. */
  rssGrowth: number;
  lagP99Ms: number;
  /** Active handles may grow by at most this many over the warm window (regression estimate)... */
  handlesGrowth: number;
  /** ...and each queue may hold at most this many at any warm sample. */
  inboxBound: number;
  outboxBound: number;
}

export interface Check {
  what: string;
  measured: string;
  limit: string;
  ok: boolean;
}

/** Least-squares slope of y over x; 0 with fewer than two points. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function judge(samples: SoakSample[], limits: Limits): Check[] {
  const end = samples.at(-1)?.t ?? 0;
  const warm = samples.filter((s) => s.t >= end / 2);
  const perMinute = (pick: (s: SoakSample) => number | undefined): number => {
    const points = warm.flatMap((s): Array<[number, number]> => {
      const y = pick(s);
      return y === undefined ? [] : [[s.t / 60, y]];
    });
    return slope(points);
  };
  const fixed = (n: number, digits = 2): string => n.toFixed(digits);
  const checks: Check[] = [];
  const rssSlope = perMinute((s) => s.rssMb);
  checks.push({
    what: 'RSS slope, second half',
    measured: `${fixed(rssSlope)} MB/min`,
    limit: `< ${limits.rssSlope} MB/min`,
    ok: rssSlope < limits.rssSlope,
  });
  const first = warm[0]?.rssMb ?? 0;
  const growth = first > 0 ? Math.max(...warm.map((s) => s.rssMb)) / first - 1 : 0;
  checks.push({
    what: 'RSS growth after warm-up',
    measured: `${fixed(growth * 100, 1)} %`,
    limit: `< ${limits.rssGrowth * 100} %`,
    ok: growth < limits.rssGrowth,
  });
  if (warm.some((s) => s.heapAfterGcMb !== undefined)) {
    const heapSlope = perMinute((s) => s.heapAfterGcMb);
    checks.push({
      what: 'heap after GC slope, second half',
      measured: `${fixed(heapSlope)} MB/min`,
      limit: `< ${limits.heapSlope} MB/min`,
      ok: heapSlope < limits.heapSlope,
    });
  } else {
    const heapSlope = perMinute((s) => s.heapMb);
    checks.push({
      what: 'heap used slope, second half (no GC samples)',
      measured: `${fixed(heapSlope)} MB/min`,
      limit: `< ${limits.heapSlope} MB/min`,
      ok: heapSlope < limits.heapSlope,
    });
  }
  // The first interval holds start-up (module compilation, the first SQLite pages).
  const lag = Math.max(0, ...samples.slice(1).map((s) => s.lagP99Ms));
  checks.push({
    what: 'event-loop lag p99, worst interval',
    measured: `${fixed(lag, 1)} ms`,
    limit: `< ${limits.lagP99Ms} ms`,
    ok: lag < limits.lagP99Ms,
  });
  const handlesGrowth = perMinute((s) => s.handles) * ((end - (warm[0]?.t ?? end)) / 60);
  checks.push({
    what: 'active handles growth, second half',
    measured: fixed(handlesGrowth, 1),
    limit: `< ${limits.handlesGrowth}`,
    ok: handlesGrowth < limits.handlesGrowth,
  });
  const inbox = Math.max(0, ...warm.map((s) => s.inboxOpen));
  checks.push({
    what: 'inbox open (pending + processing), max warm',
    measured: String(inbox),
    limit: `<= ${limits.inboxBound}`,
    ok: inbox <= limits.inboxBound,
  });
  const outbox = Math.max(0, ...warm.map((s) => s.outbox));
  checks.push({
    what: 'outbox depth, max warm',
    measured: String(outbox),
    limit: `<= ${limits.outboxBound}`,
    ok: outbox <= limits.outboxBound,
  });
  const errors = samples.reduce((n, s) => n + s.errors, 0);
  checks.push({
    what: 'unexpected answers (all streams)',
    measured: String(errors),
    limit: '0',
    ok: errors === 0,
  });
  return checks;
}
