/**
 * A tracker and guard over an in-memory SQLite store with a manual clock, and a compact way to
 * make BrokerEvents for loop tests.
 */
import { ManualClock } from '../../src/core/clock.js';
import type { BrokerEvent } from '../../src/core/broker-event.js';
import type { ChainSummary } from '../../src/core/chain-records.js';
import { ChainTracker } from '../../src/loops/chain-tracker.js';
import { DEFAULT_LOOP_SETTINGS, type LoopSettings } from '../../src/loops/loop-settings.js';
import { WriteGuard } from '../../src/loops/write-guard.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export const MARKER_KEY = 'loop-test-marker-key-0123456789';
export const APP_SLUG = 'reynolds-test';

export interface LoopFixture {
  clock: ManualClock;
  store: SqliteStore;
  tracker: ChainTracker;
  guard: WriteGuard;
  broken: ChainSummary[];
  close(): Promise<void>;
}

export async function loopFixture(overrides: Partial<LoopSettings> = {}): Promise<LoopFixture> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: 3600_000 });
  await store.init();
  const broken: ChainSummary[] = [];
  const tracker = new ChainTracker(
    store,
    clock,
    {
      ...DEFAULT_LOOP_SETTINGS,
      markerKey: MARKER_KEY,
      appSlug: APP_SLUG,
      appId: 4242,
      ...overrides,
    },
    { onBreak: (chain) => void broken.push(chain) },
  );
  return {
    clock,
    store,
    tracker,
    guard: new WriteGuard(tracker, store, clock),
    broken,
    close: () => store.close(),
  };
}

let sequence = 0;

export interface EventSpec {
  kind?: string;
  action?: string;
  repo?: string;
  target?: string;
  actor?: string;
  bot?: boolean;
  body?: string;
  changedLabel?: string;
  state?: string;
  performedViaAppId?: number;
}

/** An event received now (per the fixture clock). */
export function event(clock: ManualClock, spec: EventSpec = {}): BrokerEvent {
  sequence += 1;
  const actor = spec.actor ?? 'octocat';
  const repo = spec.repo ?? 'octo-org/octo-repo';
  const target = spec.target ?? '#1';
  const [owner, name] = repo.split('/') as [string, string];
  return {
    tenantId: 'tenant-a',
    deliveryId: `d-${sequence}`,
    kind: spec.kind ?? 'issue_comment',
    action: spec.action ?? 'created',
    known: true,
    repo: { owner, name, fullName: repo },
    target: {
      kind: 'issue',
      key: target,
      number: target.startsWith('#') ? Number(target.slice(1)) : undefined,
    },
    actor: {
      login: actor,
      isBot: spec.bot ?? actor.endsWith('[bot]'),
      type: (spec.bot ?? actor.endsWith('[bot]')) ? 'Bot' : 'User',
    },
    body: spec.body,
    labels: [],
    changedLabel: spec.changedLabel,
    state: spec.state,
    performedViaAppId: spec.performedViaAppId,
    occurredAt: new Date(clock.now()).toISOString(),
    receivedAt: new Date(clock.now()).toISOString(),
  };
}

export function nodeIdOf(e: BrokerEvent): string {
  return `ev-hook-1:${e.deliveryId}`;
}
