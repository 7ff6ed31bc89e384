/**
 * End-to-end bench: webhook accepted (202) → card posted to the Teams connector, at a steady rate.
 *
 *   npx tsx bench/e2e/run.ts [--rate 200] [--duration 30] [--warmup 5] [--conversations N]
 *                            [--runs 1] [--grace 10] [--keep-data] [--lift-tenant-limit]
 *
 * Each run: a connector stand-in in this process (bench/e2e/timed-connector.ts, it notes when
 * each card arrives), a fresh DATA_DIR seeded with N channels and one subscription each
 * (bench/e2e/seed.ts), then Reynolds as a child process (`node --import tsx src/index.ts`), so the
 * load generator does not share its event loop. The load is open-loop: deliveries leave on a fixed
 * schedule whatever the answers, so a slow Reynolds meets the same load, not a politer one.
 * Latency is from the 202 reaching this process to the card reaching the stand-in, both on this
 * process's monotonic clock; each card is matched to its delivery by a marker in the title.
 *
 * Teams' limits, which Reynolds keeps itself (src/teams/sending/teams-rate-limits.ts), shape the set-up:
 * a channel takes ~2 posts/s sustained (60 per 30 s), so events are spread round-robin over enough
 * channels (default: rate × 2) that each gets one every 2 s. Every event is about a new issue/PR,
 * so every card starts its own thread. The per-tenant limit (50 posts/s) cannot be spread: one
 * Reynolds serves one tenant, so above 50 events/s the cards queue by design (the output says so).
 *
 * Exit codes: 0 ok, 1 a card was lost or duplicated or a delivery not accepted, 2 bad arguments or
 * a Reynolds that would not start. Loopback only; stops by itself; the child is killed on exit.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SQLITE_FILE_NAME } from '../../src/store/sqlite/sqlite-store.js';
import {
  BENCH_HOOK_ID,
  DeliveryFactory,
  EVENT_MIX,
  markerPattern,
  type BenchDelivery,
  type EventKind,
} from './events.js';
import { LOCAL_TENANT, seedStore } from './seed.js';
import { startTimedConnector } from './timed-connector.js';
import {
  int,
  median,
  numberOption,
  pct,
  processCpuSeconds,
  sleep,
  table,
} from '../support/bench-kit.js';
import {
  killAllChildren,
  killChild,
  startReynoldsChild,
  type ReynoldsChild,
} from '../support/reynolds-child.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEBHOOK_PATH = '/api/github/webhook';
const TARGET_P99_MS = 100;
/** Teams' per-tenant limit as Reynolds enforces it (src/teams/sending/teams-rate-limits.ts). */
const TENANT_POSTS_PER_SECOND = 50;
/** A channel's sustained share: 60 posts per 30 s. */
const CHANNEL_POSTS_PER_SECOND = 2;
/** The scheduler's tick: small against the 5 ms between deliveries at 200/s. */
const TICK_MS = 2;

interface Options {
  rate: number;
  duration: number;
  warmup: number;
  conversations: number;
  runs: number;
  grace: number;
  keepData: boolean;
  /** Diagnosis: each channel gets its own tenant bucket in the child (bench/e2e/lift-tenant-limit.ts). */
  liftTenantLimit: boolean;
}

/** One delivery's life as this process saw it (performance.now() times). */
interface Sent {
  d: Pick<BenchDelivery, 'seq' | 'kind' | 'deliveryId' | 'conversation'>;
  measured: boolean;
  sentAt: number;
  ackAt?: number;
  status?: number;
  error?: string;
  cardAt?: number;
  cards: number;
  /** First seen in a folded summary card rather than a card of its own. */
  folded?: boolean;
}

interface Breakdown {
  /** Child's accept (received_at) → child's pipeline done (completed_at), ms. */
  inbox: number[];
  /** Pipeline done → card at the stand-in, ms (negative: the card went out before the inbox row was marked done). */
  send: number[];
  /** 202 at the bench → child's accept, negative: the accept-to-202 part; reported as the 202 leg. */
  ack: number[];
}

interface RunResult {
  run: number;
  seconds: number;
  sent: number;
  sendRate: number;
  accepted: number;
  rejected: number;
  errors: number;
  cards: number;
  lost: number;
  duplicates: number;
  /** Measured deliveries that arrived in a folded summary card. */
  folded: number;
  /** Cards with a marker from an earlier phase or none at all (an admin alert would be one). */
  strayPosts: number;
  /** Warm-up deliveries accepted but never posted (also failures). */
  warmupLost: number;
  latency: { p50: number; p90: number; p99: number; max: number; count: number };
  /** Cards per second at the stand-in over the measured window. */
  cardsPerSecond: number[];
  /** Share of accepted measured deliveries with a card, by fifth of the window they were sent in (shows the outbox's order). */
  postedByFifth: number[];
  breakdown: Record<keyof Breakdown, { p50: number; p99: number; max: number }>;
  byKind: Record<string, { p50: number; p99: number; count: number }>;
  childCores?: number;
  benchCores: number;
  leftovers: { outbox: number; inboxOpen: number };
  childLog: string[];
}

// ---------------------------------------------------------------------------------------------
// options

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      conversations: { type: 'string' },
      runs: { type: 'string' },
      grace: { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      'lift-tenant-limit': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      [
        'usage: npx tsx bench/e2e/run.ts [options]',
        '  --rate <n>            webhook deliveries per second, open loop (default 200)',
        '  --duration <s>        measured seconds (default 30)',
        '  --warmup <s>          seconds at the same rate before, not counted in latency (default 5)',
        '  --conversations <n>   subscribed channels, one repository each (default rate × 2: one event per channel every 2 s)',
        '  --runs <n>            runs, each with a fresh Reynolds and DATA_DIR; medians reported (default 1)',
        '  --grace <s>           after the last delivery, how long a card may take before it counts as lost (default 10)',
        '  --keep-data           keep the temporary DATA_DIRs',
        '  --lift-tenant-limit   diagnosis only: one 50/s tenant bucket per channel in the child, to see the path without that limit',
      ].join('\n'),
    );
    process.exit(0);
  }
  const num = (
    name: string,
    raw: string | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number => numberOption(name, raw, fallback, min, max, usage);
  const rate = num('rate', values.rate, 200, 1, 5000);
  return {
    rate,
    duration: num('duration', values.duration, 30, 1, 600),
    warmup: num('warmup', values.warmup, 5, 0, 120),
    // Below 1 event per channel per 2 s, the per-channel windows never bind (8 per 2 s, 60 per 30 s).
    conversations: Math.round(
      num('conversations', values.conversations, Math.max(1, Math.ceil(rate * 2)), 1, 2000),
    ),
    runs: Math.round(num('runs', values.runs, 1, 1, 20)),
    grace: num('grace', values.grace, 10, 1, 600),
    keepData: values['keep-data'],
    liftTenantLimit: values['lift-tenant-limit'],
  };
}

function usage(message: string): never {
  console.error(`bench:e2e: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// the child

const tempDirs = new Set<string>();
let keepData = false;

function cleanup(): void {
  killAllChildren();
  if (!keepData) for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\nbench:e2e: ${signal}, stopping Reynolds`);
    cleanup();
    process.exit(130);
  });
}

/** Reynolds as a child (bench/support/reynolds-child.ts), optionally with the tenant-limit diagnosis hook. */
function startChild(
  dataDir: string,
  secret: string,
  liftTenantLimit: boolean,
): Promise<ReynoldsChild> {
  return startReynoldsChild({
    dataDir,
    secret,
    imports: liftTenantLimit ? ['./bench/e2e/lift-tenant-limit.ts'] : [],
  });
}

// ---------------------------------------------------------------------------------------------
// one run

async function runOnce(run: number, options: Options, secret: string): Promise<RunResult> {
  const tag = randomBytes(3).toString('hex');
  const connector = await startTimedConnector(markerPattern(tag));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'reynolds-e2e-'));
  tempDirs.add(dataDir);
  let child: ReynoldsChild | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  try {
    await seedStore(dataDir, options.conversations, connector.url);
    child = await startChild(dataDir, secret, options.liftTenantLimit);
    const factory = new DeliveryFactory(secret, tag, options.conversations);
    const url = new URL(`${child.origin}${WEBHOOK_PATH}`);
    const sent: Sent[] = [];
    let settled = 0;
    let strayPosts = 0;
    connector.onPost = (post) => {
      // A folded summary lists several deliveries, and its edits list them again: an alert counts
      // as posted when its marker first arrives, and as a duplicate only if two posts carried it.
      if (post.markers.length === 0 || (post.markers.length !== 1 && !post.summary)) {
        strayPosts += 1;
        return;
      }
      for (const marker of post.markers) {
        const entry = sent[Number(marker.slice(-7))];
        if (!entry) {
          strayPosts += 1;
          continue;
        }
        if (!post.edit) entry.cards += 1;
        if (entry.cardAt === undefined) {
          entry.cardAt = post.at;
          entry.folded = post.summary;
          if (post.edit) entry.cards += 1;
        }
      }
    };

    const send = (seq: number, measured: boolean): Sent => {
      const d = factory.make(seq);
      const entry: Sent = {
        d: { seq: d.seq, kind: d.kind, deliveryId: d.deliveryId, conversation: d.conversation },
        measured,
        sentAt: performance.now(),
        cards: 0,
      };
      sent[seq] = entry;
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { ...d.headers, 'content-length': String(d.body.length) },
          timeout: 10_000,
        },
        (res) => {
          // The status line and headers are the answer; the body is a small JSON we do not need.
          entry.ackAt = performance.now();
          entry.status = res.statusCode;
          res.resume();
          res.on('end', () => (settled += 1));
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
      req.on('error', (error) => {
        entry.error = error.message;
        settled += 1;
      });
      req.end(d.body);
      return entry;
    };

    // Preflight: one card end to end, so a broken set-up fails here with the child's own words.
    const pre = send(0, false);
    const preDeadline = performance.now() + 15_000;
    while (pre.cardAt === undefined && pre.error === undefined && performance.now() < preDeadline)
      await sleep(20);
    if (pre.status !== 202 || pre.cardAt === undefined)
      throw new Error(
        `preflight: delivery answered ${pre.status ?? pre.error ?? 'nothing'}, card ${pre.cardAt === undefined ? 'never posted' : 'posted'}\n${child.log.join('\n')}`,
      );

    // The schedule: delivery k leaves at start + k/rate, warm-up first, then the measured window,
    // without a pause between them. When this event loop falls behind, the late ones leave at once.
    const warmupCount = Math.round(options.rate * options.warmup);
    const total = warmupCount + Math.round(options.rate * options.duration);
    const firstSeq = 1;
    const start = performance.now();
    const measuredStart = start + (warmupCount / options.rate) * 1000;
    let next = 0;
    let childCpu0: number | undefined;
    let benchCpu0: NodeJS.CpuUsage | undefined;
    while (next < total) {
      const due = Math.min(
        total,
        Math.floor(((performance.now() - start) * options.rate) / 1000) + 1,
      );
      while (next < due) {
        if (next === warmupCount) {
          childCpu0 = processCpuSeconds(child.process.pid);
          benchCpu0 = process.cpuUsage();
        }
        send(firstSeq + next, next >= warmupCount);
        next += 1;
      }
      await sleep(TICK_MS);
    }
    const lastSentAt = performance.now();
    const measuredSeconds = (lastSentAt - measuredStart) / 1000;
    const childCpu1 = processCpuSeconds(child.process.pid);
    const benchCpu = process.cpuUsage(benchCpu0);

    // Grace: every request answered, and every accepted delivery's card in, or the time is up.
    const graceEnd = lastSentAt + options.grace * 1000;
    const all = sent.slice(firstSeq);
    while (performance.now() < graceEnd) {
      if (settled >= total + 1 && all.every((s) => s.status !== 202 || s.cardAt !== undefined))
        break;
      await sleep(50);
    }
    await sleep(200); // a duplicate would be right behind the first copy

    const childLog = [...child.log];
    await killChild(child);
    const db = readChildStore(dataDir, all);

    const measured = all.filter((s) => s.measured);
    const accepted = measured.filter((s) => s.status === 202);
    const withCard = accepted.filter((s) => s.cardAt !== undefined && s.ackAt !== undefined);
    const latencies = withCard.map((s) => s.cardAt! - s.ackAt!).sort((a, b) => a - b);
    const perSecond = Array.from({ length: Math.ceil(measuredSeconds) }, () => 0);
    for (const post of connector.posts) {
      const second = Math.floor((post.at - measuredStart) / 1000);
      if (second >= 0 && second < perSecond.length) perSecond[second]! += 1;
    }
    const postedByFifth = [0, 1, 2, 3, 4].map((fifth) => {
      const part = accepted.filter(
        (s) =>
          Math.min(
            4,
            Math.floor(((s.sentAt - measuredStart) / (lastSentAt - measuredStart)) * 5),
          ) === fifth,
      );
      return part.length === 0 ? Number.NaN : part.filter((s) => s.cards > 0).length / part.length;
    });
    const byKind: RunResult['byKind'] = {};
    for (const kind of EVENT_MIX) {
      const ls = withCard
        .filter((s) => s.d.kind === kind)
        .map((s) => s.cardAt! - s.ackAt!)
        .sort((a, b) => a - b);
      byKind[kind] = { p50: pct(ls, 50), p99: pct(ls, 99), count: ls.length };
    }
    const breakdown = {} as RunResult['breakdown'];
    for (const key of ['ack', 'inbox', 'send'] as const) {
      const values = db.breakdown[key].sort((a, b) => a - b);
      breakdown[key] = {
        p50: pct(values, 50),
        p99: pct(values, 99),
        max: values.at(-1) ?? Number.NaN,
      };
    }
    return {
      run,
      seconds: measuredSeconds,
      sent: measured.length,
      sendRate: measured.length / measuredSeconds,
      accepted: accepted.length,
      rejected: measured.filter((s) => s.status !== undefined && s.status !== 202).length,
      errors: measured.filter((s) => s.status === undefined).length,
      cards: measured.filter((s) => s.cards > 0).length,
      lost: accepted.filter((s) => s.cards === 0).length,
      duplicates: all.filter((s) => s.cards > 1).length,
      folded: measured.filter((s) => s.folded).length,
      strayPosts,
      warmupLost: all.filter((s) => !s.measured && s.status === 202 && s.cards === 0).length,
      latency: {
        p50: pct(latencies, 50),
        p90: pct(latencies, 90),
        p99: pct(latencies, 99),
        max: latencies.at(-1) ?? Number.NaN,
        count: latencies.length,
      },
      cardsPerSecond: perSecond,
      postedByFifth,
      breakdown,
      byKind,
      childCores:
        childCpu0 !== undefined && childCpu1 !== undefined
          ? (childCpu1 - childCpu0) / measuredSeconds
          : undefined,
      benchCores: (benchCpu.user + benchCpu.system) / 1e6 / measuredSeconds,
      leftovers: db.leftovers,
      childLog,
    };
  } finally {
    agent.destroy();
    if (child) await killChild(child);
    await connector.stop();
    if (!options.keepData) {
      rmSync(dataDir, { recursive: true, force: true });
      tempDirs.delete(dataDir);
    }
  }
}

/**
 * After the child is gone: its own timestamps for each measured delivery (accepted, pipeline
 * done; epoch ms on the same machine clock), to split the latency into legs, and what was still
 * queued when the grace ran out.
 */
function readChildStore(
  dataDir: string,
  all: Sent[],
): { breakdown: Breakdown; leftovers: RunResult['leftovers'] } {
  const db = new Database(path.join(dataDir, SQLITE_FILE_NAME), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const rows = db
      .prepare(
        'SELECT delivery_id AS id, received_at AS received, completed_at AS completed FROM deliveries',
      )
      .all() as { id: string; received: number; completed: number | null }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const epoch = (t: number): number => performance.timeOrigin + t;
    const breakdown: Breakdown = { ack: [], inbox: [], send: [] };
    for (const s of all) {
      if (!s.measured || s.ackAt === undefined) continue;
      const row = byId.get(s.d.deliveryId);
      if (!row) continue;
      breakdown.ack.push(epoch(s.ackAt) - row.received);
      if (row.completed !== null) {
        breakdown.inbox.push(row.completed - row.received);
        if (s.cardAt !== undefined) breakdown.send.push(epoch(s.cardAt) - row.completed);
      }
    }
    const outbox = (
      db
        .prepare("SELECT count(*) AS n FROM records WHERE kind = 'outbox' AND tenant_id = ?")
        .get(LOCAL_TENANT) as { n: number }
    ).n;
    const inboxOpen = (
      db
        .prepare("SELECT count(*) AS n FROM deliveries WHERE status IN ('pending', 'processing')")
        .get() as { n: number }
    ).n;
    return { breakdown, leftovers: { outbox, inboxOpen } };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// report

/** Nearest-rank percentile of sorted values. */
const ms = (n: number): string =>
  Number.isFinite(n)
    ? Math.abs(n) < 10
      ? n.toFixed(1)
      : Math.round(n).toLocaleString('en-US')
    : '-';

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const options = parseOptions();
  keepData = options.keepData;
  const secret = `bench-${randomBytes(16).toString('hex')}`;
  const cpus = os.cpus();
  const perChannel = options.rate / options.conversations;
  console.log('# Reynolds end-to-end benchmark: 202 → card posted');
  console.log();
  console.log(
    `machine:        ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`,
  );
  console.log(
    `load:           ${options.rate} deliveries/s open loop for ${options.warmup} s warm-up + ${options.duration} s measured, ${options.runs} run(s); mix ${EVENT_MIX.join(' / ')} (recorded payloads, one new issue/PR each, so one new thread each)`,
  );
  console.log(
    `channels:       ${options.conversations} subscribed channels, one repository each, round-robin: ${perChannel.toFixed(2)} cards/s per channel (Teams allows ${CHANNEL_POSTS_PER_SECOND}/s sustained per channel)`,
  );
  console.log(
    `reynolds:       child process (node --import tsx src/index.ts), fresh SQLite DATA_DIR per run, LOG_LEVEL=warn, no model enrichment; connector stand-in in this process, hook id ${BENCH_HOOK_ID}`,
  );
  if (options.liftTenantLimit) {
    console.log(
      `DIAGNOSIS:      --lift-tenant-limit: each channel has its own ${TENANT_POSTS_PER_SECOND}/s tenant bucket in the child; not how Reynolds runs against Teams`,
    );
  } else if (options.rate > TENANT_POSTS_PER_SECOND) {
    console.log(
      `note:           ${options.rate}/s is above Teams' per-tenant limit of ${TENANT_POSTS_PER_SECOND} posts/s, which Reynolds enforces for its one tenant:`,
    );
    console.log(
      `                cards can leave at ${TENANT_POSTS_PER_SECOND}/s at most, whatever the channel count, so the outbox grows by ~${options.rate - TENANT_POSTS_PER_SECOND}/s`,
    );
  }
  if (cpus.length <= 4)
    console.log(
      `note:           ${cpus.length} cores, shared by Reynolds, the load generator and the connector stand-in`,
    );
  console.log();

  const results: RunResult[] = [];
  for (let run = 1; run <= options.runs; run++) {
    process.stdout.write(`run ${run}/${options.runs} … `);
    const r = await runOnce(run, options, secret);
    results.push(r);
    console.log(
      `${int(r.sent)} sent (${r.sendRate.toFixed(1)}/s), ${int(r.accepted)} × 202, ${int(r.cards)} cards, ${r.lost} lost, ${r.duplicates} dup, ${int(r.folded)} in folded summaries; ` +
        `p50 ${ms(r.latency.p50)} / p99 ${ms(r.latency.p99)} ms; CPU Reynolds ${r.childCores?.toFixed(2) ?? '?'} cores, bench ${r.benchCores.toFixed(2)}`,
    );
  }

  const header = [
    'run',
    'rate achieved (/s)',
    'events sent',
    '202s',
    'cards posted',
    'lost',
    'duplicates',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    `target p99 < ${TARGET_P99_MS} ms`,
  ];
  const verdict = (p99: number): string =>
    Number.isFinite(p99) && p99 < TARGET_P99_MS ? 'PASS' : 'MISS';
  const rows: string[][] = [header];
  for (const r of results) {
    rows.push([
      String(r.run),
      r.sendRate.toFixed(1),
      int(r.sent),
      int(r.accepted),
      int(r.cards),
      int(r.lost),
      int(r.duplicates),
      ms(r.latency.p50),
      ms(r.latency.p90),
      ms(r.latency.p99),
      ms(r.latency.max),
      verdict(r.latency.p99),
    ]);
  }
  if (results.length > 1) {
    const m = (f: (r: RunResult) => number): number => median(results.map(f));
    const p99 = m((r) => r.latency.p99);
    rows.push([
      'median',
      m((r) => r.sendRate).toFixed(1),
      int(m((r) => r.sent)),
      int(m((r) => r.accepted)),
      int(m((r) => r.cards)),
      int(m((r) => r.lost)),
      int(m((r) => r.duplicates)),
      ms(m((r) => r.latency.p50)),
      ms(m((r) => r.latency.p90)),
      ms(p99),
      ms(m((r) => r.latency.max)),
      verdict(p99),
    ]);
  }
  console.log();
  console.log(table(rows));
  console.log();
  console.log(
    'latency = card at the connector stand-in − 202 at the load generator; lost = 202 but no card within the grace after the last delivery.',
  );

  // Where the time goes, from Reynolds's own timestamps (deliveries.received_at / completed_at).
  console.log();
  console.log(
    'where the time goes (measured deliveries; ms; child timestamps are Date.now(), 1 ms resolution):',
  );
  const legs: [keyof Breakdown, string][] = [
    ['ack', 'accepted (row inserted) → 202 at the load generator'],
    ['inbox', 'accepted → pipeline done (inbox wait, loop guard, routing, outbox enqueue)'],
    ['send', 'pipeline done → card at the stand-in (outbox scan, rate limits, post)'],
  ];
  const legRows: string[][] = [['leg', ...results.map((r) => `run ${r.run} p50 / p99 / max`)]];
  for (const [key, label] of legs)
    legRows.push([
      label,
      ...results.map(
        (r) =>
          `${ms(r.breakdown[key].p50)} / ${ms(r.breakdown[key].p99)} / ${ms(r.breakdown[key].max)}`,
      ),
    ]);
  for (const kind of EVENT_MIX as readonly EventKind[])
    legRows.push([
      `202 → card, ${kind} only`,
      ...results.map(
        (r) =>
          `${ms(r.byKind[kind]!.p50)} / ${ms(r.byKind[kind]!.p99)} (${int(r.byKind[kind]!.count)})`,
      ),
    ]);
  console.log(table(legRows));
  for (const r of results) {
    const cps = r.cardsPerSecond;
    console.log(
      `run ${r.run}: cards/s at the stand-in during the measured window: min ${int(Math.min(...cps))}, median ${int(median(cps))}, max ${int(Math.max(...cps))} ` +
        `(first 10 s: ${cps.slice(0, 10).join(' ')}); when the grace ended: ${int(r.leftovers.outbox)} alerts still in the outbox, ${int(r.leftovers.inboxOpen)} deliveries not yet processed` +
        `${r.strayPosts ? `; ${r.strayPosts} posts without a marker of this run` : ''}`,
    );
    if (r.lost > 0)
      console.log(
        `run ${r.run}: share of accepted deliveries with a card, by fifth of the measured window they were sent in: ${r.postedByFifth.map((f) => `${Math.round(f * 100)}%`).join(' ')}`,
      );
  }
  const lines = results.flatMap((r) => r.childLog);
  if (lines.length > 0) {
    console.log(`Reynolds wrote ${lines.length} line(s) at LOG_LEVEL=warn (last ones):`);
    for (const line of lines.slice(-5)) console.log(`  ${line}`);
  }

  const resultsDir = path.join(ROOT, 'bench/.results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `e2e-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ options, machine: { cpus: cpus.length, model: cpus[0]?.model, node: process.version }, results }, null, 2)}\n`,
  );
  console.log(`results: ${path.relative(ROOT, file)}`);

  const failures: string[] = [];
  for (const r of results) {
    if (r.lost > 0 || r.warmupLost > 0)
      failures.push(
        `run ${r.run}: ${r.lost} measured and ${r.warmupLost} warm-up deliveries were accepted (202) but no card arrived within ${options.grace} s`,
      );
    if (r.duplicates > 0)
      failures.push(`run ${r.run}: ${r.duplicates} cards were posted more than once`);
    if (r.rejected > 0 || r.errors > 0)
      failures.push(
        `run ${r.run}: ${r.rejected} deliveries answered other than 202, ${r.errors} got no answer`,
      );
  }
  if (failures.length > 0) {
    console.error(`\nFAILED:\n${failures.map((f) => `  ${f}`).join('\n')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    cleanup();
    process.exit(code);
  },
  (error: unknown) => {
    console.error(`\nbench:e2e: ${error instanceof Error ? error.message : String(error)}`);
    cleanup();
    process.exit(2);
  },
);
