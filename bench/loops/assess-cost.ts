/**
 * What ChainTracker.assess costs as history grows: N synthetic events (default 1,000,000) through
 * one tracker over a SqliteStore on a temporary FILE (not :memory:, so the writes pay for the WAL
 * and the page cache like production), on a ManualClock.
 *
 *   npx tsx bench/loops/assess-cost.ts [--events N]      (or through run.ts)
 *
 * The mix: 200 repositories with 2,000 issues/PRs each, a hot set of 20,000 targets taking 80 %
 * of the traffic and a long tail taking the rest (so the working set, capped at 50,000, evicts);
 * people and bots commenting, labelling, reviewing; CI (check runs, statuses) and pushes; the
 * echoes of our own comments (signed markers); and two bots ping-ponging on a fresh target every
 * few seconds (some loops, which break). Events arrive every ~20 ms of virtual time.
 *
 * Measured per call with process.hrtime.bigint() around `await tracker.assess(...)` only (building
 * the event is outside), into a histogram with 1 µs buckets (fixed memory whatever N is), overall
 * and per quarter of the run: flat quarters mean the cost does not grow with history. Each call is
 * also split into time inside the store (SQLite) and the rest (the tracker's own work), and
 * garbage-collection pauses are counted per quarter, so a tail can be told apart from the
 * algorithm. RSS, the live heap after a forced GC (outside the timed calls) and the working-set
 * sizes are sampled at 0, 25, 50, 75 and 100 %.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ManualClock } from '../../src/core/clock.js';
import type { BrokerEvent } from '../../src/core/broker-event.js';
import type { Verdict } from '../../src/core/chain-records.js';
import { ChainTracker } from '../../src/loops/chain-tracker.js';
import { DEFAULT_LOOP_SETTINGS } from '../../src/loops/loop-settings.js';
import { withMarker } from '../../src/loops/marker.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { mulberry32 } from '../support/bench-kit.js';

const MARKER_KEY = 'assess-cost-marker-key-0123456789';
const APP_SLUG = 'reynolds-sim';
const REPOS = 200;
const THREADS_PER_REPO = 2000;
const HOT_TARGETS = 20_000;
/** Histogram resolution and range: 1 µs buckets up to 100 ms, then one overflow bucket. */
const BUCKETS = 100_000;

export interface AssessCostResult {
  events: number;
  totalMs: number;
  p50: number;
  p99: number;
  quarters: { p50: number; p99: number }[];
  rssMb: number[];
}

class Histogram {
  readonly counts = new Uint32Array(BUCKETS + 1);
  n = 0;
  max = 0;
  add(us: number): void {
    this.counts[Math.min(BUCKETS, Math.floor(us))]! += 1;
    this.n += 1;
    if (us > this.max) this.max = us;
  }
  /** The upper edge of the bucket holding quantile q, in µs. */
  quantile(q: number): number {
    const rank = Math.ceil(q * this.n);
    let seen = 0;
    for (let i = 0; i <= BUCKETS; i += 1) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === BUCKETS ? this.max : i + 1;
    }
    return this.max;
  }
}

interface Sample {
  at: number;
  rssMb: number;
  /** Heap in use right after a full GC: what is really alive. */
  liveHeapMb: number;
  targets: number;
  chains: number;
  assessed: number;
}

export async function runAssessCost(options: {
  events: number;
  log?: (line: string) => void;
}): Promise<AssessCostResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const total = options.events;
  const dir = mkdtempSync(path.join(tmpdir(), 'reynolds-assess-'));
  const file = path.join(dir, 'assess.sqlite');
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 0, 0));
  const sqlite = new SqliteStore({ file, clock, deliveryTtlMs: 7 * 24 * 3600_000 });
  await sqlite.init();
  const timing = { storeNs: 0n };
  const store = timedStore(sqlite, timing);
  let broken = 0;
  const tracker = new ChainTracker(
    store,
    clock,
    { ...DEFAULT_LOOP_SETTINGS, markerKey: MARKER_KEY, appSlug: APP_SLUG },
    { onBreak: () => void (broken += 1) },
  );
  const gc = exposeGc();
  const pauses: { start: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      pauses.push({ start: entry.startTime, ms: entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const generator = new EventMix(clock);

  log(
    `assess cost: ${total.toLocaleString('en-US')} synthetic events, SQLite file ${file}, working set cap ${DEFAULT_LOOP_SETTINGS.workingSetMax.toLocaleString('en-US')}`,
  );
  const overall = new Histogram();
  const quarters = [new Histogram(), new Histogram(), new Histogram(), new Histogram()];
  const ownQuarters = [new Histogram(), new Histogram(), new Histogram(), new Histogram()];
  const storeQuarters = [new Histogram(), new Histogram(), new Histogram(), new Histogram()];
  /** performance.now() at the start of each quarter, and at the end; forced GCs are excluded. */
  const bounds: number[] = [];
  const forced: { start: number; end: number }[] = [];
  const verdicts: Record<Verdict, number> = { proceed: 0, dampen: 0, break: 0 };
  const samples: Sample[] = [];
  const sample = async (at: number) => {
    await new Promise((resolve) => setImmediate(resolve)); // deliver pending GC entries first
    const start = performance.now();
    gc();
    forced.push({ start, end: performance.now() });
    const memory = process.memoryUsage();
    samples.push({
      at,
      rssMb: memory.rss / 2 ** 20,
      liveHeapMb: memory.heapUsed / 2 ** 20,
      targets: tracker.working.targets.size,
      chains: tracker.working.chains.size,
      assessed: tracker.working.assessed.size,
    });
  };
  const checkpoints = new Set([
    Math.floor(total / 4),
    Math.floor(total / 2),
    Math.floor((3 * total) / 4),
  ]);
  await sample(0);

  const started = process.hrtime.bigint();
  bounds.push(performance.now());
  for (let i = 0; i < total; i += 1) {
    const { event, nodeId } = generator.next(i);
    const storeBefore = timing.storeNs;
    const t0 = process.hrtime.bigint();
    const assessment = await tracker.assess(event, nodeId);
    const ns = process.hrtime.bigint() - t0;
    const us = Number(ns) / 1000;
    const storeUs = Number(timing.storeNs - storeBefore) / 1000;
    const quarter = Math.min(3, Math.floor((4 * i) / total));
    overall.add(us);
    quarters[quarter]!.add(us);
    storeQuarters[quarter]!.add(storeUs);
    ownQuarters[quarter]!.add(Math.max(0, us - storeUs));
    verdicts[assessment.verdict] += 1;
    generator.observe(
      event,
      assessment.node.chainId,
      assessment.node.depth,
      assessment.node.actorKind,
    );
    // A server yields to its event loop between deliveries; this also lets GC entries arrive.
    if ((i + 1) % 10_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (checkpoints.has(i + 1)) {
      await sample(i + 1);
      bounds.push(performance.now());
    }
  }
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  bounds.push(performance.now());
  await sample(total);
  observer.disconnect();
  const fileMb = sizeMb(file) + sizeMb(`${file}-wal`);
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
  const isForced = (p: { start: number }) =>
    forced.some((f) => p.start >= f.start && p.start <= f.end);
  const gcByQuarter = [0, 1, 2, 3].map((k) => {
    const inside = pauses.filter(
      (p) => p.start >= bounds[k]! && p.start < bounds[k + 1]! && !isForced(p),
    );
    return {
      count: inside.length,
      ms: inside.reduce((sum, p) => sum + p.ms, 0),
      max: Math.max(0, ...inside.map((p) => p.ms)),
    };
  });

  const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  log(
    `  total ${(totalMs / 1000).toFixed(1)} s (${fmt(total / (totalMs / 1000))} events/s, event building included), virtual time covered ${(generator.virtualMs / 3600_000).toFixed(1)} h`,
  );
  log(
    `  assess time per call (µs):  p50 ${overall.quantile(0.5)}   p90 ${overall.quantile(0.9)}   p99 ${overall.quantile(0.99)}   p99.9 ${overall.quantile(0.999)}   max ${Math.round(overall.max)}`,
  );
  log('  by quarter of the run (µs, p50 / p99 / p99.9):');
  log(
    `    ${'quarter'.padEnd(8)} ${'whole assess'.padStart(20)} ${'tracker (no store)'.padStart(20)} ${'inside the store'.padStart(20)}   GC pauses (count, total ms, max ms)`,
  );
  const q3 = (h: Histogram) => `${h.quantile(0.5)} / ${h.quantile(0.99)} / ${h.quantile(0.999)}`;
  for (let k = 0; k < 4; k += 1) {
    const g = gcByQuarter[k]!;
    log(
      `    ${`Q${k + 1}`.padEnd(8)} ${q3(quarters[k]!).padStart(20)} ${q3(ownQuarters[k]!).padStart(20)} ${q3(storeQuarters[k]!).padStart(20)}   ${g.count}, ${g.ms.toFixed(0)}, ${g.max.toFixed(1)}`,
    );
  }
  log(
    `  verdicts: ${fmt(verdicts.proceed)} proceed, ${fmt(verdicts.dampen)} dampen, ${fmt(verdicts.break)} break; ${fmt(broken)} chains broken (${fmt(generator.loops)} ping-pong loops started)`,
  );
  log(`  SQLite file at the end: ${fmt(fileMb)} MB (chain nodes are kept for LOOP_TTL, 24 h)`);
  log('  memory and working set:');
  log(
    `    ${'events'.padStart(10)}  ${'RSS MB'.padStart(7)}  ${'live heap MB'.padStart(12)}  ${'targets'.padStart(8)}  ${'chains'.padStart(8)}  ${'assessed'.padStart(8)}`,
  );
  for (const s of samples)
    log(
      `    ${fmt(s.at).padStart(10)}  ${s.rssMb.toFixed(0).padStart(7)}  ${s.liveHeapMb.toFixed(0).padStart(12)}  ${fmt(s.targets).padStart(8)}  ${fmt(s.chains).padStart(8)}  ${fmt(s.assessed).padStart(8)}`,
    );

  return {
    events: total,
    totalMs,
    p50: overall.quantile(0.5),
    p99: overall.quantile(0.99),
    quarters: quarters.map((q) => ({ p50: q.quantile(0.5), p99: q.quantile(0.99) })),
    rssMb: samples.map((s) => s.rssMb),
  };
}

/** The store with the time spent in its calls added up, so a call's store time can be told from the rest. */
function timedStore(store: Store, timing: { storeNs: bigint }): Store {
  const timed = ['getRecord', 'putRecord', 'queryRecords', 'deleteRecord'];
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || !timed.includes(String(property))) return value;
      return async (...args: unknown[]) => {
        const t0 = process.hrtime.bigint();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          timing.storeNs += process.hrtime.bigint() - t0;
        }
      };
    },
  });
}

/** A full GC for the memory samples (never inside a timed call); V8's flag set at run time. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function sizeMb(file: string): number {
  try {
    return statSync(file).size / 2 ** 20;
  } catch {
    return 0;
  }
}

const PEOPLE = Array.from({ length: 400 }, (_, i) => `dev-${i}`);
const BOTS = [
  'github-actions[bot]',
  'codecov[bot]',
  'dependabot[bot]',
  'renovate[bot]',
  'netlify[bot]',
  'sonarcloud[bot]',
  'linear[bot]',
  'vercel[bot]',
];
const PHRASES = [
  'Looks good to me',
  'Can you add a test for this?',
  'Rebased on main',
  'This breaks the Windows build',
  'Fixed in the latest push',
  'Why not reuse the existing helper?',
  'Deployed to staging',
  'Coverage dropped on this file',
];

/** The synthetic traffic, from a seeded generator: the same N events every run. */
class EventMix {
  virtualMs = 0;
  /** Ping-pong loops started so far. */
  loops = 0;
  private readonly random = mulberry32(0x5eed);
  private readonly ownChains: { chainId: string; depth: number; repo: number; thread: number }[] =
    [];
  private loop = { repo: 0, thread: 0, turn: 0, nextAt: 0 };
  private readonly start: number;

  constructor(private readonly clock: ManualClock) {
    this.start = clock.now();
  }

  next(i: number): { event: BrokerEvent; nodeId: string } {
    this.clock.advance(Math.max(1, Math.round(-Math.log(1 - this.random()) * 20))); // ~50 events/s
    this.virtualMs = this.clock.now() - this.start;
    const nodeId = `ev-hook-1:${i}`;
    // A loop in progress: two bots take turns on one target every ~2 s, 12 turns, then a new one.
    if (this.clock.now() >= this.loop.nextAt) {
      if (this.loop.turn === 0 || this.loop.turn >= 12) {
        this.loops += 1;
        this.loop = {
          repo: this.int(REPOS),
          thread: THREADS_PER_REPO + this.loops,
          turn: 0,
          nextAt: 0,
        };
      }
      this.loop.turn += 1;
      this.loop.nextAt = this.clock.now() + 1500 + this.int(1000);
      const actor = this.loop.turn % 2 === 0 ? 'ping[bot]' : 'pong[bot]';
      return {
        event: this.comment(
          i,
          this.loop.repo,
          this.loop.thread,
          actor,
          `Sync #${this.loop.turn}: mirrored the last comment`,
        ),
        nodeId,
      };
    }
    const { repo, thread } = this.target();
    const roll = this.random();
    if (roll < 0.3)
      return {
        event: this.comment(i, repo, thread, this.pick(PEOPLE), `${this.pick(PHRASES)} (${i})`),
        nodeId,
      };
    if (roll < 0.4)
      return {
        event: this.comment(i, repo, thread, this.pick(BOTS), `Report ${i}: ${this.pick(PHRASES)}`),
        nodeId,
      };
    if (roll < 0.45 && this.ownChains.length > 0) {
      // The echo of one of our comments: our login and a signed marker pointing at its chain.
      const own = this.ownChains[this.int(this.ownChains.length)]!;
      const body = withMarker(
        `Noted, thanks! (${i})`,
        { chainId: own.chainId, depth: own.depth + 1, actId: `act-${i}` },
        MARKER_KEY,
      );
      return { event: this.comment(i, own.repo, own.thread, `${APP_SLUG}[bot]`, body), nodeId };
    }
    if (roll < 0.55) {
      const actor = this.random() < 0.6 ? this.pick(PEOPLE) : this.pick(BOTS);
      return {
        event: this.base(
          i,
          'issues',
          this.pick(['labeled', 'unlabeled', 'opened', 'closed']),
          repo,
          { kind: 'issue', key: `#${thread}`, number: thread },
          actor,
          { changedLabel: this.pick(['bug', 'triage', 'stale', 'p1']), title: `Issue ${thread}` },
        ),
        nodeId,
      };
    }
    if (roll < 0.6)
      return {
        event: this.base(
          i,
          'pull_request_review',
          'submitted',
          repo,
          { kind: 'pull_request', key: `#${thread}`, number: thread },
          this.pick(PEOPLE),
          { body: this.pick(PHRASES), state: 'approved' },
        ),
        nodeId,
      };
    if (roll < 0.9) {
      const sha = `${(repo * 7919 + (thread % 50)).toString(16).padStart(8, '0')}${'0'.repeat(32)}`;
      const check = this.random() < 0.7;
      const target = check
        ? { kind: 'check' as const, key: `check_run:${i}` }
        : { kind: 'commit' as const, key: sha };
      return {
        event: this.base(
          i,
          check ? 'check_run' : 'status',
          check ? this.pick(['created', 'completed']) : undefined,
          repo,
          target,
          this.pick(['github-actions[bot]', 'codecov[bot]']),
          { sha, state: 'success' },
        ),
        nodeId,
      };
    }
    return {
      event: this.base(
        i,
        'push',
        undefined,
        repo,
        { kind: 'ref', key: `refs/heads/branch-${thread % 40}` },
        this.random() < 0.8 ? this.pick(PEOPLE) : 'github-merge-queue[bot]',
        { sha: `${i.toString(16).padStart(40, '0')}` },
      ),
      nodeId,
    };
  }

  /** Remembers chains people started, so later marker events can point back at them. */
  observe(event: BrokerEvent, chainId: string, depth: number, actorKind: string): void {
    if (
      actorKind !== 'human' ||
      event.kind !== 'issue_comment' ||
      event.target?.number === undefined
    )
      return;
    const repo = Number(event.repo!.name.slice(5));
    const entry = { chainId, depth, repo, thread: event.target.number };
    if (this.ownChains.length < 1000) this.ownChains.push(entry);
    else this.ownChains[this.int(1000)] = entry;
  }

  private target(): { repo: number; thread: number } {
    if (this.random() < 0.8) {
      const hot = this.int(HOT_TARGETS);
      return { repo: hot % REPOS, thread: 1 + Math.floor(hot / REPOS) };
    }
    return { repo: this.int(REPOS), thread: 1 + this.int(THREADS_PER_REPO) };
  }

  private comment(
    i: number,
    repo: number,
    thread: number,
    actor: string,
    body: string,
  ): BrokerEvent {
    return this.base(
      i,
      'issue_comment',
      'created',
      repo,
      { kind: 'issue', key: `#${thread}`, number: thread },
      actor,
      { body },
    );
  }

  private base(
    i: number,
    kind: string,
    action: string | undefined,
    repo: number,
    target: BrokerEvent['target'] & object,
    actor: string,
    extra: Partial<BrokerEvent>,
  ): BrokerEvent {
    const name = `repo-${repo}`;
    const at = new Date(this.clock.now()).toISOString();
    const isBot = actor.endsWith('[bot]');
    return {
      tenantId: 'bench',
      deliveryId: `d-${i}`,
      kind,
      ...(action !== undefined && { action }),
      known: true,
      repo: { owner: 'octo-org', name, fullName: `octo-org/${name}` },
      org: 'octo-org',
      target,
      actor: { login: actor, isBot, type: isBot ? 'Bot' : 'User' },
      labels: [],
      occurredAt: at,
      receivedAt: at,
      ...extra,
    };
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { events: { type: 'string' } }, strict: true });
  const events = values.events === undefined ? 1_000_000 : Number(values.events);
  if (!Number.isInteger(events) || events < 1000) {
    console.error('assess-cost: --events must be a whole number >= 1000');
    process.exit(2);
  }
  runAssessCost({ events }).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
