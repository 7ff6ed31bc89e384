/**
 * The model pool under load, against the OpenAI-compatible stand-in (tests/support) through the
 * real openai SDK:
 * 1. N concurrent requests spread over the five roles, cap MODEL_POOL_CONCURRENCY (10) vs no cap:
 *    throughput and p50/p95 queue and total latency per role.
 * 2. Sequential vs pooled: per event five roles one after another, vs the five in parallel.
 * 3. A 429 storm on one of two review deployments: nothing lost, breaker opens and recovers.
 *
 *   npm run bench:pool [-- --requests 200 --latency 100 --events 20]
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../../src/core/clock.js';
import type { DeploymentConfig } from '../../src/models/deployment.js';
import { MODEL_ROLES, type ModelRole } from '../../src/core/model-roles.js';
import { OpenAIProvider } from '../../src/models/providers/openai-provider.js';
import {
  ScheduledModelPool,
  type PoolObserver,
  type PoolSettings,
} from '../../src/models/scheduled-model-pool.js';
import { startOpenAIStandin, type OpenAIStandin } from '../../tests/support/openai-standin.js';
import { int, pct, table } from '../support/bench-kit.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    latency: { type: 'string', default: '100' },
    events: { type: 'string', default: '20' },
  },
});
const REQUESTS = Number(args.requests);
const LATENCY = Number(args.latency);
const EVENTS = Number(args.events);
/** Per-role latency spread around --latency, so roles differ as real ones do. */
const ROLE_LATENCY: Record<ModelRole, number> = {
  codegen: LATENCY * 1.5,
  review: LATENCY,
  docs: LATENCY * 0.8,
  issues: LATENCY * 0.6,
  security: LATENCY * 1.2,
};
const ask = {
  messages: [{ role: 'user' as const, content: 'Summarise this change.' }],
  maxTokens: 100,
};

function pool(
  standin: OpenAIStandin,
  settings: Partial<PoolSettings>,
  observer?: PoolObserver,
  extra: DeploymentConfig[] = [],
): ScheduledModelPool {
  const configs: DeploymentConfig[] = [
    ...MODEL_ROLES.map((role) => ({
      name: `${role}-1`,
      role,
      provider: 'openai' as const,
      endpoint: standin.url,
      model: `${role}-1`,
      weight: 1,
      promptPricePer1k: 0.0025,
      completionPricePer1k: 0.01,
    })),
    ...extra,
  ];
  return new ScheduledModelPool({
    deployments: configs.map((config) => ({
      config,
      provider: new OpenAIProvider(config, { openaiApiKey: 'bench' }),
    })),
    clock: systemClock,
    observer,
    settings: { historyIntervalMs: 0, ...settings },
  });
}

const fmt = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : '-');

async function concurrentRun(standin: OpenAIStandin, concurrency: number) {
  const queue = new Map<ModelRole, number[]>(MODEL_ROLES.map((r) => [r, []]));
  const total = new Map<ModelRole, number[]>(MODEL_ROLES.map((r) => [r, []]));
  const p = pool(standin, { concurrency }, { onQueued: (role, ms) => queue.get(role)!.push(ms) });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: REQUESTS }, async (_, i) => {
      const role = MODEL_ROLES[i % MODEL_ROLES.length]!;
      const t0 = performance.now();
      await p.complete(role, ask);
      total.get(role)!.push(performance.now() - t0);
    }),
  );
  const wall = (performance.now() - started) / 1000;
  await p.close();
  return { wall, queue, total };
}

async function main(): Promise<void> {
  const standin = await startOpenAIStandin((r) => ({
    delayMs: ROLE_LATENCY[r.target.replace(/-\d+$/, '') as ModelRole] ?? LATENCY,
  }));
  try {
    console.log(
      `\n## 1. ${REQUESTS} concurrent requests over five roles (latency per role: ${MODEL_ROLES.map((r) => `${r} ${ROLE_LATENCY[r]} ms`).join(', ')})\n`,
    );
    const capped = await concurrentRun(standin, 10);
    const unbounded = await concurrentRun(standin, Infinity);
    const rows = [
      [
        'role',
        'cap 10: queue p50/p95 ms',
        'cap 10: total p50/p95 ms',
        'no cap: queue p50/p95 ms',
        'no cap: total p50/p95 ms',
      ],
    ];
    const pp = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${fmt(pct(sorted, 50))} / ${fmt(pct(sorted, 95))}`;
    };
    for (const role of MODEL_ROLES)
      rows.push([
        role,
        pp(capped.queue.get(role)!),
        pp(capped.total.get(role)!),
        pp(unbounded.queue.get(role)!),
        pp(unbounded.total.get(role)!),
      ]);
    rows.push([
      'throughput (req/s)',
      int(REQUESTS / capped.wall),
      `wall ${capped.wall.toFixed(2)} s`,
      int(REQUESTS / unbounded.wall),
      `wall ${unbounded.wall.toFixed(2)} s`,
    ]);
    console.log(table(rows));

    console.log(
      `\n## 2. ${EVENTS} events x 5 roles: sequential vs pooled (fixed ${LATENCY} ms per call)\n`,
    );
    standin.script = () => ({ delayMs: LATENCY });
    const p = pool(standin, { concurrency: 10 });
    let t0 = performance.now();
    for (let e = 0; e < EVENTS; e++) for (const role of MODEL_ROLES) await p.complete(role, ask);
    const sequential = (performance.now() - t0) / 1000;
    t0 = performance.now();
    for (let e = 0; e < EVENTS; e++)
      await Promise.all(MODEL_ROLES.map((role) => p.complete(role, ask)));
    const perEvent = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await Promise.all(
      Array.from({ length: EVENTS }, () =>
        Promise.all(MODEL_ROLES.map((role) => p.complete(role, ask))),
      ),
    );
    const allAtOnce = (performance.now() - t0) / 1000;
    await p.close();
    console.log(
      table([
        ['mode', 'wall s', 'speedup', 'ideal'],
        ['sequential (one call at a time)', sequential.toFixed(2), '1.00x', '1x'],
        [
          'pooled, five roles of an event in parallel',
          perEvent.toFixed(2),
          `${(sequential / perEvent).toFixed(2)}x`,
          '5x',
        ],
        [
          'pooled, all events at once (cap 10)',
          allAtOnce.toFixed(2),
          `${(sequential / allAtOnce).toFixed(2)}x`,
          '10x',
        ],
      ]),
    );

    console.log(
      '\n## 3. 429 storm on review-1 (Retry-After: 1) for 1.5 s, review-2 healthy; 100 review requests\n',
    );
    const stormUntil = Date.now() + 1500;
    let throttled = 0;
    standin.script = (r) => {
      if (r.target === 'review-1' && Date.now() < stormUntil) {
        throttled += 1;
        return { status: 429, retryAfter: '1' };
      }
      return { delayMs: LATENCY };
    };
    const transitions: string[] = [];
    const stormPool = pool(
      standin,
      { concurrency: 10, breaker: { failures: 5, halfOpenAfterMs: 500 } },
      { onBreaker: (d, s) => transitions.push(`${d} ${s}`) },
      [
        {
          name: 'review-2',
          role: 'review',
          provider: 'openai',
          endpoint: standin.url,
          model: 'review-2',
          weight: 1,
          promptPricePer1k: 0,
          completionPricePer1k: 0,
        },
      ],
    );
    t0 = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 25)); // arrivals over 2.5 s
        return stormPool.complete('review', ask);
      }),
    );
    const stormWall = (performance.now() - t0) / 1000;
    const snap = stormPool.snapshot().roles.find((r) => r.role === 'review')!;
    await stormPool.close();
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    console.log(
      table([
        ['measure', 'value'],
        ['requests answered', `${ok} / 100`],
        ['lost (rejected)', String(100 - ok)],
        ['429s served by the stand-in', String(throttled)],
        [
          'review-1 answered / errors',
          `${snap.deployments[0]!.requests - snap.deployments[0]!.errors} / ${snap.deployments[0]!.errors}`,
        ],
        ['review-2 answered', String(snap.deployments[1]!.requests - snap.deployments[1]!.errors)],
        [
          'breaker transitions',
          transitions.map((t) => t.replace('review-1 ', '')).join(' → ') || 'none',
        ],
        ['review-1 breaker at the end', snap.deployments[0]!.breaker],
        ['wall s', stormWall.toFixed(2)],
      ]),
    );
  } finally {
    await standin.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
