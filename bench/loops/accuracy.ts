/**
 * Loop accuracy at scale: the generated scenarios (generated-scenarios.ts, ground truth by
 * construction) through the real ChainTracker over an in-memory SQLite store on a virtual clock.
 *
 * Recall: loops whose chain broke within 3 loop events of the onset (the break lands on the onset
 * or one of the next two loop events), with at most one admin alert. Precision: legitimate
 * scenarios in which no event was dampened or broken. Failures are counted by scenario kind, with
 * the first few described.
 *
 * Every scenario gets its own tenant and starts 3 hours of virtual time after the previous one
 * (past every window), so scenarios cannot see each other; the tracker's memory stays bounded by
 * its LRU caps and idle TTL however many run.
 */
import { ManualClock } from '../../src/core/clock.js';
import type { BrokerEvent } from '../../src/core/broker-event.js';
import type { Verdict } from '../../src/core/chain-records.js';
import { ChainTracker } from '../../src/loops/chain-tracker.js';
import { DEFAULT_LOOP_SETTINGS } from '../../src/loops/loop-settings.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import {
  generateScenarios,
  LEGIT_KINDS,
  LOOP_KINDS,
  type GenEvent,
  type GenScenario,
} from './generated-scenarios.js';

const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const SCENARIO_SPACING_MS = 3 * 3600_000;
/** Loop events from the onset within which the chain must break. */
export const STOP_WITHIN = 3;

export interface KindTally {
  scenarios: number;
  failures: number;
  /** Loops of this kind never broken at all. */
  unstopped: number;
}

export interface AccuracyResult {
  scenarios: number;
  events: number;
  loops: number;
  loopsStopped: number;
  /** Loops never broken at all (the others that missed were broken, only later than STOP_WITHIN). */
  loopsUnstopped: number;
  legit: number;
  legitClean: number;
  recall: number;
  precision: number;
  byKind: Record<string, KindTally>;
  /** A few failures per kind, in words. */
  examples: Record<string, string[]>;
  realMs: number;
}

function brokerEvent(
  tenantId: string,
  scenario: GenScenario,
  event: GenEvent,
  index: number,
  now: number,
): BrokerEvent {
  const [owner, name] = event.repo.split('/') as [string, string];
  const number = event.target.startsWith('#') ? Number(event.target.slice(1)) : undefined;
  const iso = new Date(now).toISOString();
  return {
    tenantId,
    deliveryId: `gen-${scenario.id}-${index}`,
    kind: event.kind,
    ...(event.action !== undefined && { action: event.action }),
    known: true,
    repo: { owner, name, fullName: event.repo },
    target: { kind: event.targetKind, key: event.target, ...(number !== undefined && { number }) },
    actor: { login: event.actor, isBot: event.actorType === 'Bot', type: event.actorType },
    ...(event.body !== undefined && { body: event.body }),
    ...(event.title !== undefined && { title: event.title }),
    labels: event.label ? [event.label] : [],
    ...(event.label !== undefined && { changedLabel: event.label }),
    ...(event.sha !== undefined && { sha: event.sha }),
    ...(event.url !== undefined && { url: event.url }),
    occurredAt: iso,
    receivedAt: iso,
  };
}

export async function runAccuracy(options: {
  scenarios: number;
  seed: number;
  examplesPerKind?: number;
}): Promise<AccuracyResult> {
  const started = performance.now();
  const clock = new ManualClock(START);
  const store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: 3600_000 });
  await store.init();
  let breaks = 0;
  const tracker = new ChainTracker(
    store,
    clock,
    {
      ...DEFAULT_LOOP_SETTINGS,
      markerKey: 'accuracy-bench-marker-key-0123456789',
      appSlug: 'reynolds',
    },
    { onBreak: () => void (breaks += 1) },
  );
  const byKind: Record<string, KindTally> = Object.fromEntries(
    [...LOOP_KINDS, ...LEGIT_KINDS].map((k) => [k, { scenarios: 0, failures: 0, unstopped: 0 }]),
  );
  const examples: Record<string, string[]> = {};
  const fail = (scenario: GenScenario, why: string) => {
    byKind[scenario.kind]!.failures += 1;
    const list = (examples[scenario.kind] ??= []);
    if (list.length < (options.examplesPerKind ?? 3)) list.push(`#${scenario.id}: ${why}`);
  };
  let events = 0;
  let loops = 0;
  let loopsStopped = 0;
  let loopsUnstopped = 0;
  let legit = 0;
  let legitClean = 0;
  try {
    for (const scenario of generateScenarios(options.scenarios, options.seed)) {
      const base = START + scenario.id * SCENARIO_SPACING_MS;
      const tenantId = `gen-${scenario.id}`;
      breaks = 0;
      const verdicts: Verdict[] = [];
      for (const [i, event] of scenario.events.entries()) {
        clock.set(base + event.at);
        const assessed = await tracker.assess(
          brokerEvent(tenantId, scenario, event, i, clock.now()),
          `ev-gen-${scenario.id}-${i}`,
        );
        verdicts.push(assessed.verdict);
      }
      events += scenario.events.length;
      byKind[scenario.kind]!.scenarios += 1;
      if (scenario.loop) {
        loops += 1;
        const onset = scenario.onset;
        if (onset === undefined)
          throw new Error(
            `loop scenario #${scenario.id} (${scenario.kind}) has no onset: a generator bug`,
          );
        const loopIndexes = scenario.events.map((e, i) => (e.loop ? i : -1)).filter((i) => i >= 0);
        const firstBreak = loopIndexes.find((i) => verdicts[i] === 'break');
        const position =
          firstBreak === undefined
            ? undefined
            : loopIndexes.filter((i) => i >= onset && i <= firstBreak).length;
        if (firstBreak === undefined) {
          loopsUnstopped += 1;
          byKind[scenario.kind]!.unstopped += 1;
        }
        if (firstBreak === undefined)
          fail(
            scenario,
            `not stopped in ${loopIndexes.length} loop events (verdicts ${summarise(verdicts)})`,
          );
        else if (position! > STOP_WITHIN)
          fail(scenario, `stopped ${position} loop events after its onset`);
        else if (breaks > 1) fail(scenario, `${breaks} admin alerts`);
        else loopsStopped += 1;
      } else {
        legit += 1;
        const bad = verdicts.findIndex((v) => v !== 'proceed');
        if (bad < 0) legitClean += 1;
        else {
          const e = scenario.events[bad]!;
          fail(
            scenario,
            `${verdicts[bad]} on event ${bad} (${e.kind}.${e.action ?? ''} by ${e.actor} on ${e.target})`,
          );
        }
      }
    }
  } finally {
    await store.close();
  }
  return {
    scenarios: options.scenarios,
    events,
    loops,
    loopsStopped,
    loopsUnstopped,
    legit,
    legitClean,
    recall: loops === 0 ? 1 : loopsStopped / loops,
    precision: legit === 0 ? 1 : legitClean / legit,
    byKind,
    examples,
    realMs: performance.now() - started,
  };
}

function summarise(verdicts: readonly Verdict[]): string {
  return verdicts.map((v) => v[0]).join('');
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function formatAccuracy(r: AccuracyResult): string[] {
  const lines = [
    `Loop accuracy: ${r.scenarios} generated scenarios (${r.events} events) through ChainTracker, ${(r.realMs / 1000).toFixed(1)} s`,
    `  recall    ${pct(r.recall)}  (${r.loopsStopped}/${r.loops} loops broken within ${STOP_WITHIN} events of their onset, one admin alert)`,
    `            ${r.loopsUnstopped} loops never broken at all`,
    `  precision ${pct(r.precision)}  (${r.legitClean}/${r.legit} legitimate scenarios never dampened or broken)`,
    '',
    '  kind                   scenarios  failures',
  ];
  for (const [kind, tally] of Object.entries(r.byKind)) {
    lines.push(
      `  ${kind.padEnd(22)} ${String(tally.scenarios).padStart(9)}  ${String(tally.failures).padStart(8)}${LOOP_KINDS.includes(kind) ? '  (loop)' : ''}`,
    );
  }
  const failed = Object.entries(r.examples);
  if (failed.length > 0) {
    lines.push('', '  failures (first few per kind):');
    for (const [kind, list] of failed) for (const line of list) lines.push(`    ${kind}: ${line}`);
  }
  return lines;
}
