/**
 * Interventions benchmark: a synthetic history (history.ts: weeks of PRs, reviews, CI, deployments,
 * dependencies and a release train across repositories) replayed through the orchestration stage on
 * the embedded store with a controlled clock, ticking every few virtual minutes as the periodic loop
 * would. For every trouble in the history it asks: was it flagged before its impact, and how early?
 * Every intervention that matches no trouble is a false alarm. Then it times `portfolio(scope, 90)`
 * for a named scope of 200 repositories with 90 days of counters. `--drop P` loses that share of
 * deliveries on the way (a PR whose opening never arrived has no known age), for a less kind world.
 *
 *   npm run bench:interventions [-- --seed S] [--seeds N] [--drop P] [--weeks W] [--repos R] [--prs-per-day P] [--tick-minutes T] [--leads 0.5,0.6,0.75]
 *
 * Exit codes: 0 the targets held at the default lead, 1 they did not, 2 bad arguments.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ManualClock } from '../../src/core/clock.js';
import type { PipelineContext } from '../../src/core/pipeline.js';
import {
  DEFAULT_THRESHOLDS,
  type InterventionThresholds,
  type RuleId,
} from '../../src/orchestration/intervention-rules.js';
import type { Intervention } from '../../src/orchestration/interventions.js';
import { OrchestrationStage } from '../../src/orchestration/orchestration-stage.js';
import { Portfolio } from '../../src/orchestration/portfolio.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { median, mulberry32, numberOption, table } from '../support/bench-kit.js';
import { generateHistory, type History, type Trouble, type TroubleKind } from './history.js';

const HOUR = 3_600_000;
const TENANT = 'bench-tenant';
/** Which rule answers which trouble: the only place the two vocabularies meet. */
const RULE_OF: Record<TroubleKind, RuleId> = {
  review_sla: 'review_wait',
  red_branch: 'branch_red',
  deployment_wait: 'deployment_wait',
  stale_dependent: 'dependency_moved',
  train_missed: 'train_blocked',
};

function usage(message: string): never {
  console.error(`bench/interventions: ${message}`);
  console.error(
    'usage: npm run bench:interventions -- [--seed S] [--seeds N] [--drop P] [--weeks W] [--repos R] [--prs-per-day P] [--tick-minutes T] [--leads 0.5,0.6,0.75]',
  );
  process.exit(2);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        seed: { type: 'string' },
        seeds: { type: 'string' },
        drop: { type: 'string' },
        weeks: { type: 'string' },
        repos: { type: 'string' },
        'prs-per-day': { type: 'string' },
        'tick-minutes': { type: 'string' },
        leads: { type: 'string' },
      },
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  const leads = (values.leads ?? `0.5,${DEFAULT_THRESHOLDS.lead},0.75,0.9`).split(',').map(Number);
  if (leads.some((lead) => !(lead > 0 && lead < 1)))
    usage('--leads: fractions between 0 and 1, comma-separated');
  return {
    seed: numberOption('--seed', values.seed, 20_260_302, 0, 2 ** 32 - 1, usage),
    seeds: numberOption('--seeds', values.seeds, 5, 1, 100, usage),
    drop: numberOption('--drop', values.drop, 0, 0, 0.5, usage),
    weeks: numberOption('--weeks', values.weeks, 6, 2, 26, usage),
    repos: numberOption('--repos', values.repos, 6, 3, 10, usage),
    prsPerDay: numberOption('--prs-per-day', values['prs-per-day'], 1.5, 0.1, 5, usage),
    tickMinutes: numberOption('--tick-minutes', values['tick-minutes'], 5, 1, 60, usage),
    leads: [...new Set(leads)],
  };
}

function keyOf(trouble: Trouble): string {
  switch (trouble.kind) {
    case 'red_branch':
      return `${trouble.repo}@${trouble.subject}`;
    case 'deployment_wait':
      return `${trouble.repo}!deploy:${trouble.subject}`;
    default:
      return `${trouble.repo}#${trouble.subject}`;
  }
}

interface Outcome {
  lead: number;
  troubles: number;
  flaggedBefore: number;
  flaggedLate: number;
  leadTimes: number[];
  falseAlarms: number;
  perKind: Map<
    TroubleKind,
    { troubles: number; before: number; leadTimes: number[]; falseAlarms: number }
  >;
  events: number;
  replayMs: number;
}

/** `drop`: the share of deliveries lost on the way (never delivered, not recovered), seeded. */
async function replay(
  history: History,
  thresholds: InterventionThresholds,
  tickMs: number,
  drop: number,
): Promise<Outcome> {
  const lose = mulberry32(history.start ^ history.events.length);
  const clock = new ManualClock(history.start);
  const store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: HOUR });
  await store.init();
  const raised: Intervention[] = [];
  const stage = new OrchestrationStage({
    store,
    clock,
    thresholds,
    onIntervention: (_tenant, intervention) => void raised.push(intervention),
  });
  const began = performance.now();
  let nextTick = history.start + tickMs;
  for (const { at, event } of history.events) {
    while (nextTick <= at) {
      clock.set(nextTick);
      await stage.tick(TENANT);
      nextTick += tickMs;
    }
    clock.set(at);
    if (drop > 0 && lose() < drop) continue;
    await stage.run({ event, item: { key: event.deliveryId } as PipelineContext['item'] });
  }
  for (; nextTick <= history.end; nextTick += tickMs) {
    clock.set(nextTick);
    await stage.tick(TENANT);
  }
  const replayMs = performance.now() - began;
  await store.close();

  // A trouble is answered by an intervention of its rule on its item: the last one raised before
  // its impact, else (late) the first after. A branch can be red, and raised, several times.
  const open = new Map<string, Intervention[]>();
  for (const intervention of raised) {
    const id = `${intervention.rule}|${intervention.item.toLowerCase()}`;
    open.set(id, [...(open.get(id) ?? []), intervention]);
  }
  const outcome: Outcome = {
    lead: thresholds.lead,
    troubles: history.troubles.length,
    flaggedBefore: 0,
    flaggedLate: 0,
    leadTimes: [],
    falseAlarms: 0,
    perKind: new Map(),
    events: history.events.length,
    replayMs,
  };
  const rowOf = (kind: TroubleKind) => {
    const row = outcome.perKind.get(kind) ?? {
      troubles: 0,
      before: 0,
      leadTimes: [],
      falseAlarms: 0,
    };
    outcome.perKind.set(kind, row);
    return row;
  };
  for (const trouble of [...history.troubles].sort((a, b) => a.impactAt - b.impactAt)) {
    const row = rowOf(trouble.kind);
    row.troubles += 1;
    const candidates = open.get(`${RULE_OF[trouble.kind]}|${keyOf(trouble).toLowerCase()}`) ?? [];
    const before = candidates.filter((i) => i.raisedAt < trouble.impactAt).at(-1);
    const answer = before ?? candidates[0];
    if (!answer) continue;
    candidates.splice(candidates.indexOf(answer), 1);
    if (before) {
      outcome.flaggedBefore += 1;
      row.before += 1;
      outcome.leadTimes.push(trouble.impactAt - before.raisedAt);
      row.leadTimes.push(trouble.impactAt - before.raisedAt);
    } else outcome.flaggedLate += 1;
  }
  for (const unanswered of open.values()) {
    for (const intervention of unanswered) {
      outcome.falseAlarms += 1;
      rowOf(
        (Object.keys(RULE_OF) as TroubleKind[]).find((k) => RULE_OF[k] === intervention.rule)!,
      ).falseAlarms += 1;
    }
  }
  return outcome;
}

/** Fills 90 days of counters for 200 repositories in one named scope, then times the query. */
async function portfolioQuery(): Promise<{
  records: number;
  medianMs: number;
  p90Ms: number;
  cpuMedianMs: number;
  cpuP90Ms: number;
  prsOpened: number;
}> {
  const now = Date.UTC(2026, 5, 30, 12);
  const clock = new ManualClock(now);
  const store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: HOUR });
  await store.init();
  const portfolio = new Portfolio(store);
  const random = mulberry32(7);
  const people = Array.from({ length: 60 }, (_, i) => `dev${i}`);
  const scopes = ['org:acme', 'platform'];
  for (let day = 89; day >= 0; day -= 1) {
    const at = now - day * 24 * HOUR;
    for (let repo = 0; repo < 200; repo += 1) {
      // About one PR opened, reviewed and merged per repository per day, and some red time.
      await portfolio.add(TENANT, scopes, at, {
        prsOpened: 1,
        firstReviewMs: random() * 24 * HOUR,
        reviewer: people[Math.floor(random() * people.length)]!,
        alerts: 3,
      });
      if (random() < 0.9)
        await portfolio.add(TENANT, scopes, at, { prsMerged: 1, toMergeMs: random() * 72 * HOUR });
      if (random() < 0.05) await portfolio.add(TENANT, scopes, at, { redMs: random() * 3 * HOUR });
    }
  }
  // Wall time, and CPU time of this process: on a shared machine the wall time's tail is other
  // people's work (load average printed beside it); the CPU time is the query's own cost.
  const times: number[] = [];
  const cpu: number[] = [];
  let figures;
  for (let i = 0; i < 50; i += 1) {
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    figures = await portfolio.figures(TENANT, 'platform', 90, now);
    const used = process.cpuUsage(cpuBefore);
    times.push(performance.now() - began);
    cpu.push((used.user + used.system) / 1000);
  }
  await store.close();
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    records: 90,
    medianMs: median(times),
    p90Ms: times[Math.floor(times.length * 0.9)]!,
    cpuMedianMs: median(cpu),
    cpuP90Ms: cpu[Math.floor(cpu.length * 0.9)]!,
    prsOpened: figures!.prsOpened,
  };
}

function combine(runs: Outcome[]): Outcome {
  const all: Outcome = {
    lead: runs[0]!.lead,
    troubles: 0,
    flaggedBefore: 0,
    flaggedLate: 0,
    leadTimes: [],
    falseAlarms: 0,
    perKind: new Map(),
    events: 0,
    replayMs: 0,
  };
  for (const run of runs) {
    all.troubles += run.troubles;
    all.flaggedBefore += run.flaggedBefore;
    all.flaggedLate += run.flaggedLate;
    all.leadTimes.push(...run.leadTimes);
    all.falseAlarms += run.falseAlarms;
    all.events += run.events;
    all.replayMs += run.replayMs;
    for (const [kind, row] of run.perKind) {
      const into = all.perKind.get(kind) ?? {
        troubles: 0,
        before: 0,
        leadTimes: [],
        falseAlarms: 0,
      };
      all.perKind.set(kind, {
        troubles: into.troubles + row.troubles,
        before: into.before + row.before,
        leadTimes: [...into.leadTimes, ...row.leadTimes],
        falseAlarms: into.falseAlarms + row.falseAlarms,
      });
    }
  }
  return all;
}

async function main(): Promise<void> {
  const o = options();
  const limits = {
    reviewSlaMs: DEFAULT_THRESHOLDS.reviewSlaMs,
    redBranchMs: DEFAULT_THRESHOLDS.redBranchMs,
    deploymentWaitMs: DEFAULT_THRESHOLDS.deploymentWaitMs,
    dependencyUpdateMs: DEFAULT_THRESHOLDS.dependencyUpdateMs,
  };
  // Several histories (seeds S, S+1, ...), so the shares rest on more than a handful of troubles.
  const histories = Array.from({ length: o.seeds }, (_, i) =>
    generateHistory({
      seed: o.seed + i,
      weeks: o.weeks,
      repos: o.repos,
      prsPerDay: o.prsPerDay,
      limits,
    }),
  );
  const troubles = histories.flatMap((h) => h.troubles);
  const planted = troubles.filter((t) => t.planted).length;
  const prs = histories.reduce((n, h) => n + h.prs, 0);
  const events = histories.reduce((n, h) => n + h.events.length, 0);
  console.log(
    `histories: ${o.seeds} seeds from ${o.seed}, each ${o.weeks} weeks of ${o.repos} repositories; in all ${prs} PRs, ${events} events, ${troubles.length} troubles (${planted} planted, ${troubles.length - planted} from the distributions' tails); tick every ${o.tickMinutes} min; ${(o.drop * 100).toFixed(1)}% of deliveries lost on the way`,
  );
  const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);
  const hours = (ms: number) => (Number.isFinite(ms) ? `${(ms / HOUR).toFixed(1)} h` : '-');
  const outcomes: Outcome[] = [];
  for (const lead of o.leads) {
    const runs: Outcome[] = [];
    for (const history of histories)
      runs.push(
        await replay(history, { ...DEFAULT_THRESHOLDS, lead }, o.tickMinutes * 60_000, o.drop),
      );
    outcomes.push(combine(runs));
  }

  console.log(
    '\nBy lead fraction (rules speak at this fraction of each impact window; train items at 3 days before due):\n',
  );
  console.log(
    table([
      [
        'lead',
        'troubles',
        'flagged before impact',
        'flagged late',
        'median lead time',
        'false alarms',
        'per 100 PRs',
        'replay (events + ticks)',
      ],
      ...outcomes.map((r) => [
        String(r.lead) + (r.lead === DEFAULT_THRESHOLDS.lead ? ' (default)' : ''),
        String(r.troubles),
        pct(r.flaggedBefore, r.troubles),
        String(r.flaggedLate),
        hours(median(r.leadTimes)),
        String(r.falseAlarms),
        ((100 * r.falseAlarms) / prs).toFixed(2),
        `${(r.replayMs / 1000).toFixed(1)} s`,
      ]),
    ]),
  );
  const chosen = outcomes.find((r) => r.lead === DEFAULT_THRESHOLDS.lead) ?? outcomes[0]!;
  console.log(`\nBy trouble, at lead ${chosen.lead}:\n`);
  console.log(
    table([
      ['trouble (rule)', 'troubles', 'flagged before impact', 'median lead time', 'false alarms'],
      ...[...chosen.perKind].map(([kind, row]) => [
        `${kind} (${RULE_OF[kind]})`,
        String(row.troubles),
        pct(row.before, row.troubles),
        hours(median(row.leadTimes)),
        String(row.falseAlarms),
      ]),
    ]),
  );
  const query = await portfolioQuery();
  console.log(
    `\nportfolio(scope of 200 repositories, 90 days) on the embedded store, 50 queries (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores):\n`,
  );
  console.log(
    table([
      ['query', 'day records read', 'wall median', 'wall p90', 'CPU median', 'CPU p90', 'target'],
      [
        'portfolio(platform, 90)',
        String(query.records),
        `${query.medianMs.toFixed(2)} ms`,
        `${query.p90Ms.toFixed(2)} ms`,
        `${query.cpuMedianMs.toFixed(2)} ms`,
        `${query.cpuP90Ms.toFixed(2)} ms`,
        '< 50 ms',
      ],
    ]),
  );
  const share = chosen.flaggedBefore / Math.max(1, chosen.troubles);
  const falsePer100 = (100 * chosen.falseAlarms) / prs;
  const met = share >= 0.95 && falsePer100 <= 2 && query.medianMs < 50 && query.cpuP90Ms < 50;
  console.log(
    `\ntargets at the default lead: flagged before impact ${pct(chosen.flaggedBefore, chosen.troubles)} (>= 95%; the seed claimed 87%), false alarms ${falsePer100.toFixed(2)} per 100 PRs (<= 2), portfolio median ${query.medianMs.toFixed(2)} ms wall and p90 ${query.cpuP90Ms.toFixed(2)} ms CPU (< 50 ms): ${met ? 'met' : 'NOT met'}`,
  );
  process.exitCode = met ? 0 : 1;
}

await main();
