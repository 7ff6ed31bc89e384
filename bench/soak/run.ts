/**
 * Soak: a steady mixed load on one Reynolds for a set time, sampled at intervals; memory must be
 * flat once warm.
 *
 *   npm run bench:soak -- [--duration 300] [--interval 10] [--webhook-rate 50] [--chat-rate 5]
 *                         [--tab-rate 10] [--card-share 0.4] [--conversations N] [--working-set-max 2000]
 *                         [--no-gc] [--keep-data]
 *
 * Reynolds runs as a child process (bench/support/reynolds-child.ts) with bench/soak/child-sampler.ts
 * `--import`ed: at each interval this process asks it over the IPC channel for RSS, heap (as it
 * is, and after a full GC unless --no-gc), event-loop lag p50/p99/max and its active handles, and
 * reads the inbox and outbox depths from its SQLite file (read-only, WAL). The load is
 * mixed-load.ts; cards and chat replies go to the connector stand-in of bench/e2e. One row per
 * interval, then the verdict (verdict.ts). Exit 0 when it holds, 1 when it does not, 2 on bad
 * arguments or a Reynolds that would not start or died. Loopback only; stops by itself; the child
 * is killed on exit.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SQLITE_FILE_NAME } from '../../src/store/sqlite/sqlite-store.js';
import { markerPattern } from '../e2e/events.js';
import { seedStore } from '../e2e/seed.js';
import { startTimedConnector } from '../e2e/timed-connector.js';
import { int, numberOption, processCpuSeconds, sleep, table } from '../support/bench-kit.js';
import {
  killAllChildren,
  killChild,
  startReynoldsChild,
  type ReynoldsChild,
} from '../support/reynolds-child.js';
import { SAMPLE_REPLY, SAMPLE_REQUEST, type ChildSample } from './child-sampler.js';
import {
  DEFAULT_CARD_SHARE,
  MAX_CARD_SLOTS,
  MixedLoad,
  WEBHOOK_ROTATION,
  STREAMS,
  type StreamInterval,
  type StreamName,
} from './mixed-load.js';
import { judge, type Limits, type SoakSample } from './verdict.js';

/** Teams' per-tenant limit as Reynolds enforces it (src/teams/sending/teams-rate-limits.ts). */
const TENANT_POSTS_PER_SECOND = 50;
const MB = 1024 * 1024;
/**
 * The loop detector keeps up to LOOP_WORKING_SET_MAX targets, chains and assessments in memory
 * (~2.7 KB an event; 50,000 by default, ~130 MB), each dropped after an hour idle. At the soak's
 * rates the default cap would fill for ~20 minutes, so the soak sets a smaller one that fills in
 * its warm-up: what is judged is that memory stays flat once the cap binds. 0 = the default.
 */
const SOAK_WORKING_SET_MAX = 2000;

interface Options {
  duration: number;
  interval: number;
  rates: Record<StreamName, number>;
  /** Webhooks per rotation of WEBHOOK_ROTATION that yield a card. */
  cardSlots: number;
  conversations: number;
  /** LOOP_WORKING_SET_MAX for the child; undefined = Reynolds's default. */
  workingSetMax?: number;
  gc: boolean;
  keepData: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '300' },
      interval: { type: 'string', default: '10' },
      'webhook-rate': { type: 'string', default: '50' },
      'chat-rate': { type: 'string', default: '5' },
      'tab-rate': { type: 'string', default: '10' },
      'card-share': { type: 'string', default: String(DEFAULT_CARD_SHARE) },
      conversations: { type: 'string' },
      'working-set-max': { type: 'string', default: String(SOAK_WORKING_SET_MAX) },
      'no-gc': { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
    },
  });
  const number = (name: string, text: string, min: number, max: number): number =>
    numberOption(name, text, undefined, min, max, usage);
  const rates = {
    webhook: number('webhook-rate', values['webhook-rate']!, 0, 2000),
    chat: number('chat-rate', values['chat-rate']!, 0, 200),
    tab: number('tab-rate', values['tab-rate']!, 0, 500),
  };
  const share = number('card-share', values['card-share']!, 0, MAX_CARD_SLOTS / WEBHOOK_ROTATION);
  const cardSlots = Math.round(share * WEBHOOK_ROTATION);
  const cards = (rates.webhook * cardSlots) / WEBHOOK_ROTATION;
  if (cards >= TENANT_POSTS_PER_SECOND)
    usage(
      `--webhook-rate ${rates.webhook} with --card-share ${cardSlots / WEBHOOK_ROTATION} means ${cards} cards/s; Reynolds keeps Teams' ${TENANT_POSTS_PER_SECOND} posts/s per tenant, so the outbox would grow by design. Lower one of them.`,
    );
  const duration = number('duration', values.duration!, 20, 24 * 3600);
  const interval = number('interval', values.interval!, 1, duration / 4);
  // A channel takes ~2 posts/s sustained (60 per 30 s): one card every 2 s each, as in bench/e2e.
  const conversations = values.conversations
    ? number('conversations', values.conversations, 1, 10_000)
    : Math.max(4, Math.ceil(cards * 2));
  const cap = number('working-set-max', values['working-set-max']!, 0, 10_000_000);
  return {
    duration,
    interval,
    rates,
    cardSlots,
    conversations,
    workingSetMax: cap === 0 ? undefined : cap,
    gc: !values['no-gc'],
    keepData: values['keep-data']!,
  };
}

function cardRate(options: Pick<Options, 'rates' | 'cardSlots'>): number {
  return (options.rates.webhook * options.cardSlots) / WEBHOOK_ROTATION;
}

function usage(message: string): never {
  console.error(`bench:soak: ${message}`);
  process.exit(2);
}

function requestSample(child: ReynoldsChild): Promise<ChildSample> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.process.off('message', onMessage);
      reject(new Error('the child did not answer a sample request within 10 s'));
    }, 10_000);
    const onMessage = (message: unknown): void => {
      if ((message as { type?: string } | null)?.type !== SAMPLE_REPLY) return;
      clearTimeout(timer);
      child.process.off('message', onMessage);
      resolve((message as { sample: ChildSample }).sample);
    };
    child.process.on('message', onMessage);
    child.process.send({ type: SAMPLE_REQUEST });
  });
}

function queueDepths(dataDir: string): { inboxOpen: number; outbox: number } {
  const db = new Database(path.join(dataDir, SQLITE_FILE_NAME), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    db.pragma('busy_timeout = 2000');
    const inboxOpen = (
      db
        .prepare("SELECT count(*) AS n FROM deliveries WHERE status IN ('pending', 'processing')")
        .get() as { n: number }
    ).n;
    const outbox = (
      db.prepare("SELECT count(*) AS n FROM records WHERE kind = 'outbox'").get() as { n: number }
    ).n;
    return { inboxOpen, outbox };
  } finally {
    db.close();
  }
}

interface Row {
  sample: SoakSample;
  child: ChildSample;
  streams: Record<StreamName, StreamInterval>;
  cardsPerSecond: number;
  repliesPerSecond: number;
  cpuPercent: number;
}

const HEADER = [
  't s',
  'RSS MB',
  'anon / file / shm MB',
  'off V8 heap MB',
  'heap MB',
  'heap after GC MB',
  'lag p99 ms',
  'lag max ms',
  'handles',
  'sockets',
  'inbox open',
  'outbox',
  'webhook p50/p99 ms',
  'chat p50/p99 ms',
  'tab p50/p99 ms',
  'cards/s',
  'replies/s',
  'errors',
  'child CPU %',
];

function cells(row: Row): string[] {
  const { sample: s, child: c, streams } = row;
  const ms = (n: number): string => (Number.isFinite(n) ? (n < 10 ? n.toFixed(1) : int(n)) : '-');
  const latency = (x: StreamInterval): string => `${ms(x.p50)} / ${ms(x.p99)}`;
  return [
    String(Math.round(s.t)),
    s.rssMb.toFixed(1),
    c.rssParts
      ? [c.rssParts.anonBytes, c.rssParts.fileBytes, c.rssParts.shmemBytes]
          .map((b) => (b / MB).toFixed(0))
          .join(' / ')
      : '-',
    // Anonymous memory outside V8's heap: SQLite's page cache (up to 16 MB), buffers, malloc.
    c.rssParts ? ((c.rssParts.anonBytes - c.heapTotalBytes) / MB).toFixed(1) : '-',
    s.heapMb.toFixed(1),
    s.heapAfterGcMb === undefined ? '-' : s.heapAfterGcMb.toFixed(1),
    s.lagP99Ms.toFixed(1),
    c.lagMaxMs.toFixed(0),
    String(s.handles),
    String(c.resources['TCPSocketWrap'] ?? 0),
    String(s.inboxOpen),
    String(s.outbox),
    latency(streams.webhook),
    latency(streams.chat),
    latency(streams.tab),
    row.cardsPerSecond.toFixed(1),
    row.repliesPerSecond.toFixed(1),
    String(s.errors),
    row.cpuPercent.toFixed(0),
  ];
}

async function main(): Promise<number> {
  const options = parseOptions();
  const secret = randomBytes(24).toString('hex');
  const tag = randomBytes(3).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'reynolds-soak-'));
  const cleanup = (): void => {
    killAllChildren();
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });

  const connector = await startTimedConnector(markerPattern(tag));
  let cards = 0;
  let replies = 0;
  connector.onPost = (post) => {
    if (post.markers.length > 0) cards += 1;
    else replies += 1;
    connector.posts.length = 0; // counted; keeping them would grow this process, not the child
  };
  await seedStore(dataDir, options.conversations, connector.url);
  let child: ReynoldsChild;
  try {
    child = await startReynoldsChild({
      dataDir,
      secret,
      env:
        options.workingSetMax === undefined
          ? {}
          : { LOOP_WORKING_SET_MAX: String(options.workingSetMax) },
      nodeArgs: options.gc ? ['--expose-gc'] : [],
      imports: ['./bench/soak/child-sampler.ts'],
    });
  } catch (error) {
    console.error(`bench:soak: ${(error as Error).message}`);
    return 2;
  }
  let died: number | null | undefined;
  void child.exited.then((code) => (died = code));

  const { rates } = options;
  console.log(
    `Soak: ${options.duration} s, a sample every ${options.interval} s; webhooks ${rates.webhook}/s (${cardRate(options).toFixed(0)}/s to cards over ${options.conversations} channels, ` +
      `10 % redeliveries, 10 % bad signatures), chat ${rates.chat}/s, tab polling ${rates.tab}/s; LOOP_WORKING_SET_MAX ${options.workingSetMax ?? 'default'}; heap after GC: ${options.gc ? 'yes (--expose-gc)' : 'no'}; child pid ${child.process.pid}, ${os.cpus().length} cores (shared).`,
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const load = new MixedLoad({
    port: child.port,
    agent,
    secret,
    tag,
    conversations: options.conversations,
    connectorUrl: connector.url,
    rates,
    cardSlots: options.cardSlots,
  });
  const rows: Row[] = [];
  const t0 = performance.now();
  let nextSample = options.interval;
  let lastCpu = processCpuSeconds(child.process.pid) ?? 0;
  let lastAt = t0;
  let failure: string | undefined;
  console.log(HEADER.join(' | '));
  while (failure === undefined) {
    const now = performance.now();
    const elapsed = (now - t0) / 1000;
    if (died !== undefined) {
      failure = `Reynolds exited (${died}) during the soak:\n${child.log.join('\n')}`;
      break;
    }
    if (elapsed < options.duration) load.tick(now);
    if (elapsed >= nextSample) {
      nextSample += options.interval;
      try {
        const c = await requestSample(child);
        const depths = queueDepths(dataDir);
        const seconds = (performance.now() - lastAt) / 1000;
        const cpu = processCpuSeconds(child.process.pid) ?? lastCpu;
        const streams = Object.fromEntries(
          STREAMS.map((s) => [s, load.tallies[s].take()]),
        ) as Record<StreamName, StreamInterval>;
        const handles = Object.values(c.resources).reduce((a, b) => a + b, 0);
        const errors = STREAMS.reduce((n, s) => n + streams[s].errors, 0);
        const sample: SoakSample = {
          t: elapsed,
          rssMb: c.rssBytes / MB,
          heapMb: c.heapUsedBytes / MB,
          heapAfterGcMb: c.heapAfterGcBytes === undefined ? undefined : c.heapAfterGcBytes / MB,
          lagP99Ms: c.lagP99Ms,
          handles,
          ...depths,
          errors,
        };
        const row: Row = {
          sample,
          child: c,
          streams,
          cardsPerSecond: cards / seconds,
          repliesPerSecond: replies / seconds,
          cpuPercent: ((cpu - lastCpu) / seconds) * 100,
        };
        cards = 0;
        replies = 0;
        lastCpu = cpu;
        lastAt = performance.now();
        rows.push(row);
        console.log(cells(row).join(' | '));
        for (const s of STREAMS)
          if (streams[s].errors > 0)
            console.log(`  ${s}: unexpected answers ${JSON.stringify(streams[s].unexpected)}`);
      } catch (error) {
        failure = (error as Error).message;
      }
      if (elapsed >= options.duration) break;
    }
    await sleep(2);
  }
  await load.settle(10_000);
  await killChild(child, 'SIGTERM');
  agent.destroy();
  await connector.stop();
  if (failure !== undefined) {
    console.error(`bench:soak: ${failure}`);
    return 2;
  }

  const cardsPerSecond = cardRate(options);
  const limits: Limits = {
    rssSlope: 1,
    heapSlope: 1,
    rssGrowth: 0.1,
    lagP99Ms: 50,
    handlesGrowth: 20,
    // Steady state drains within a second or two; 5 s of arrivals is a queue that is not keeping up.
    inboxBound: Math.max(50, Math.ceil(rates.webhook * 5)),
    outboxBound: Math.max(50, Math.ceil(cardsPerSecond * 5)),
  };
  const checks = judge(
    rows.map((r) => r.sample),
    limits,
  );
  const totals = STREAMS.map(
    (s) =>
      `${s} ${int(load.tallies[s].total)} (${load.tallies[s].totalErrors} unexpected, ${load.tallies[s].retried} sent again after a keep-alive race)`,
  ).join(', ');
  console.log(`\n${table([HEADER, ...rows.map(cells)])}\n\nRequests: ${totals}.\n`);
  console.log(
    table([
      ['check', 'measured', 'limit', 'verdict'],
      ...checks.map((c) => [c.what, c.measured, c.limit, c.ok ? 'ok' : 'FAIL']),
    ]),
  );
  const ok = checks.every((c) => c.ok);
  console.log(
    `\nVerdict: ${ok ? 'flat and healthy once warm' : 'FAILED'} (judged on the second half of the run; the machine is shared, so lag and CPU are noisy).`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
