/**
 * The composition root: config → store → intake, pipeline and worker → GitHub clients → Teams app
 * and sender → HTTP server → background work. `startReynolds` is what src/index.ts, the tests and
 * the benchmarks start; each step is a wire-*.ts file next to this one, lifecycle.ts holds the
 * start and shutdown order.
 */
// First: OpenTelemetry must be set up before anything it instruments is loaded (telemetry.ts).
import './telemetry.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type restify from 'restify';
import type { InboxWorker } from '../broker/inbox-worker.js';
import { systemClock } from '../core/clock.js';
import type { Config } from '../config.js';
import type { DeliveryRecovery } from '../github/delivery-recovery.js';
import type { GitHubReader } from '../github/github-reader.js';
import { ReynoldsMetrics } from '../http/metrics.js';
import { createLogger, type Logger } from '../log.js';
import type { ChainTracker } from '../loops/chain-tracker.js';
import type { WriteGuard } from '../loops/write-guard.js';
import type { ModelPool } from '../models/model-pool.js';
import type { PilotRollout } from '../models/pilot.js';
import type { DigestScheduler } from '../routing/noise/digest.js';
import type { Store } from '../store/store.js';
import type { Foundation } from './foundation.js';
import { LateBindings } from './late-bindings.js';
import { startBackground, stopOnce } from './lifecycle.js';
import { openStore } from './open-store.js';
import type { StartOptions } from './start-options.js';
import { logStartup } from './startup-log.js';
import { wireGitHub } from './wire-github.js';
import { wireHttp } from './wire-http.js';
import { wirePipeline } from './wire-pipeline.js';
import { wireTeams } from './wire-teams.js';
import { connectChatMcp, mcpRoutes, type ChatMcp } from './wire-mcp.js';

export interface Reynolds {
  config: Config;
  /** Base URL it listens on, e.g. http://127.0.0.1:3978 */
  url: string;
  port: number;
  store: Store;
  worker: InboxWorker;
  tracker: ChainTracker;
  /** Every outbound write goes through it. */
  guard: WriteGuard;
  /** The daily digest and quiet-end summaries (tests drive `tick()` directly). */
  digests: DigestScheduler;
  server: restify.Server;
  logger: Logger;
  /** The model pool (`configured: false` when MODEL_DEPLOYMENTS is empty); GET /api/pool shows its snapshot. */
  pool: ModelPool;
  /** The pilot rollout: `pilot.includes(tenantId, 'owner/repo')` gates enrichment and AI write-backs. */
  pilot: PilotRollout;
  /** GitHub reads (token or App auth, cached); without credentials every read fails with not_configured. */
  github: GitHubReader;
  /** Missed-delivery recovery, in GitHub App mode. */
  recovery?: DeliveryRecovery;
  /** The chat's connections to other MCP servers (MCP_SERVERS), when any are configured. */
  mcp?: ChatMcp;
  /** Graceful stop: refuse new deliveries, finish or hand back work in flight, close the store. */
  stop(): Promise<void>;
}

export async function startReynolds(config: Config, options: StartOptions = {}): Promise<Reynolds> {
  const clock = options.clock ?? systemClock;
  const logger =
    options.logger ?? createLogger({ level: config.LOG_LEVEL, secretValues: config.secretValues });
  const startedAt = Date.now();
  const workerOwner = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const store = await openStore(config, clock);
  await store.init();
  const base: Foundation = {
    config,
    clock,
    logger,
    store,
    metrics: new ReynoldsMetrics(store),
    workerOwner,
  };
  // The sender and the listening address come later; the pipeline reaches them through these.
  const late = new LateBindings(config.PUBLIC_BASE_URL ?? '');

  const parts = wirePipeline(base, late, options);
  const github = wireGitHub(base, parts.guard, parts.cardActions, options.github);
  const mcp = connectChatMcp(base);
  const { teams, sender, signIn, identity } = wireTeams(base, parts, github, options, mcp);
  late.sender = sender;

  let draining = false;
  const http = await wireHttp(base, {
    parts,
    teams,
    isDraining: () => draining,
    startedAt,
    extraRoutes: [mcpRoutes(base, parts, github, identity, options)],
  });
  late.publicUrl ||= http.url;

  const background = startBackground(base, parts, sender, options.worker !== false);
  logStartup(base, http.url, parts.enrichment !== undefined);
  const stop = stopOnce(base, {
    parts,
    sender,
    http,
    background,
    signIn,
    mcp,
    drain: () => (draining = true),
  });

  const { worker, tracker, guard, digests, pool, pilot } = parts;
  return {
    config,
    url: http.url,
    port: http.port,
    store,
    worker,
    tracker,
    guard,
    digests,
    server: http.server,
    logger,
    pool,
    pilot,
    github: github.reader,
    recovery: background.recovery,
    mcp,
    stop,
  };
}
