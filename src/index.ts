/**
 * Composition root: config → store → intake and worker → Teams app → HTTP server.
 * `startReynolds` is what tests and benchmarks start; running this file starts it from the
 * environment and stops it cleanly on SIGTERM/SIGINT.
 */
// First: OpenTelemetry must be set up before anything it instruments is loaded (src/telemetry.ts).
import { telemetry } from './telemetry.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type restify from 'restify';
import { EventPipeline } from './broker/event-pipeline.js';
import { type PipelineStage } from './core/pipeline.js';
import { InboxWorker } from './broker/inbox-worker.js';
import { systemClock, type Clock } from './core/clock.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { noiseFromConfig } from './composition/noise-from-config.js';
import { deliveryRecoveryFrom, loopSettingsFrom } from './composition/settings-from-config.js';
import type { DeliveryRecovery } from './github/delivery-recovery.js';
import type { DigestScheduler } from './routing/noise/digest.js';
import { decodeDelivery } from './github/decode-delivery.js';
import { WebhookIntake } from './github/intake.js';
import { mountHealthRoutes } from './http/health-routes.js';
import { ReynoldsMetrics } from './http/metrics.js';
import { createServer } from './http/server.js';
import { mountTeamsRoute } from './http/teams-route.js';
import { mountWebhookRoute } from './http/webhook-route.js';
import { mountChainsRoutes } from './http/chains-routes.js';
import { tabApiAccess } from './http/tab-api-access.js';
import { TabSsoVerifier, ssoAudiences } from './http/tab-sso.js';
import { mountPoolRoutes } from './http/pool-routes.js';
import { mountSubscriptionsRoutes } from './http/subscriptions-routes.js';
import { mountTabStatic } from './http/tab-static.js';
import type { PoolSnapshot } from './models/model-pool.js';
import { createLogger, type Logger } from './log.js';
import { ChainTracker } from './loops/chain-tracker.js';
import { LoopStage } from './loops/loop-stage.js';
import { WriteGuard } from './loops/write-guard.js';
import { ModelMetrics } from './http/model-metrics.js';
import { EnrichmentStage, type AlertUpdater } from './models/enrichment-stage.js';
import type { ModelPool } from './models/model-pool.js';
import type { PilotRollout } from './models/pilot.js';
import { createModelPool, pilotFromConfig } from './composition/pool-from-config.js';
import { openStore } from './composition/open-store.js';
import type { Store } from './store/store.js';
import { AlertOutbox } from './routing/alerts/alert-outbox.js';
import { PostedAlerts } from './routing/alerts/posted-alerts.js';
import { NoiseChat } from './teams/chat/noise-chat.js';
import { RoutingStage } from './routing/routing-stage.js';
import { SubscriptionBook } from './routing/subscriptions/subscription-book.js';
import { LoopAlerts } from './routing/alerts/loop-alerts.js';
import { alertCardBuilder, buildChainBroken, cardActionsEnabled } from './teams/cards/alert-card-builder.js';
import { OctokitActions } from './github/octokit-actions.js';
import { GuardedGitHub } from './loops/guarded-github.js';
import { IdentityBook } from './teams/identity/identity-book.js';
import { ConversationBook } from './teams/sending/conversation-book.js';
import { ProactiveSender } from './teams/sending/proactive-sender.js';
import type { GitHubReader } from './github/github-reader.js';
import { GitHubClients, githubClientOptionsFrom } from './github/octokit-client.js';
import { OctokitReader } from './github/octokit-reader.js';
import { unconfiguredReader } from './github/read-errors.js';
import { createTeamsApp, type ChatSetup } from './teams/teams-app.js';
import { chatModelSettings } from './composition/chat-model-config.js';
import { TeamsRateLimits } from './teams/sending/teams-rate-limits.js';
import { ThreadBook } from './teams/sending/thread-book.js';

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
  /** Graceful stop: refuse new deliveries, finish or hand back work in flight, close the store. */
  stop(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** Extra pipeline stages (tests use one to observe processing). */
  stages?: PipelineStage[];
  /** Start the inbox worker (default true). */
  worker?: boolean;
  /** What GET /api/pool shows instead of the configured pool's state (tests of the tab). */
  poolSnapshot?: () => PoolSnapshot | undefined;
  /** Edits queued/posted alert cards with enrichment; defaults to the outbox once it has enqueueUpdate. */
  alertUpdater?: AlertUpdater;
  /** A GitHubReader in place of the one built from configuration (tests use a fake of the port). */
  github?: GitHubReader;
  /** Ports the chat actions use (GitHub reader, model pool, digests, pilot gate); tests pass fakes. */
  chat?: Pick<ChatSetup, 'reader' | 'pool' | 'digest' | 'pilot'>;
  /** Replaces the bot's credentials factory (tests: Entra's token endpoint is unreachable from here). */
  botCredentialsFactory?: ServiceClientCredentialsFactory;
}

/** How often expired records are swept from the embedded store. */
const SWEEP_INTERVAL_MS = 60_000;

export async function startReynolds(config: Config, options: StartOptions = {}): Promise<Reynolds> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, secretValues: config.secretValues });
  const startedAt = Date.now();

  const workerOwner = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const store = await openStore(config, clock);
  await store.init();
  const metrics = new ReynoldsMetrics(store);

  const intake = new WebhookIntake({
    secret: config.GITHUB_WEBHOOK_SECRET!,
    store,
    clock,
    tenantId: config.tenantId,
    observer: metrics,
    onStoreError: (err, delivery) => logger.error({ err, delivery }, 'could not store a webhook delivery; answered 503'),
  });

  const subscriptions = new SubscriptionBook(store, clock);
  const conversations = new ConversationBook(store, clock);
  const outbox = new AlertOutbox(store, clock, config.tenantId);
  let sender: ProactiveSender | undefined;
  let publicUrl = config.PUBLIC_BASE_URL ?? '';
  const loopAlerts = new LoopAlerts(subscriptions, outbox, buildChainBroken, (chainId) => `${publicUrl}/api/chains/${chainId}`, () => sender?.wake());
  const tracker = new ChainTracker(store, clock, loopSettingsFrom(config), {
    onBreak: async (chain, node) => {
      metrics.onChainBroken();
      await loopAlerts.chainBroken(chain, node);
      // The Teams admin alert is sent by the notifier once channels exist; the log says it now.
      logger.warn({ chain: chain.chainId, repo: chain.repo, score: chain.score, reason: chain.reason, node: node.nodeId }, `loop stopped: chain ${chain.chainId} (${chain.root}) broken: ${chain.reason}`);
    },
  });
  const guard = new WriteGuard(tracker, store, clock);

  const processedLog: PipelineStage = {
    name: 'log',
    async run({ event, loop }) {
      if (loop) metrics.onVerdict(loop.verdict);
      const target = event.target?.number !== undefined ? `#${event.target.number}` : event.target ? ` ${event.target.key}` : '';
      logger.info({ delivery: event.deliveryId, event: event.kind, action: event.action, repo: event.repo?.fullName, chain: loop?.node.chainId, verdict: loop?.verdict }, `processed ${event.kind}${event.action ? `.${event.action}` : ''} ${event.repo?.fullName ?? event.org ?? ''}${target}${event.actor ? ` by ${event.actor.login}` : ''}`);
    },
  };
  const { noise, openWork, digests, digestAt } = noiseFromConfig(config, { store, clock, logger, outbox, subscriptions, tracker, metrics, wake: () => sender?.wake() });
  const cardActions = cardActionsEnabled(config);
  const buildAlertCard = alertCardBuilder(cardActions);
  const routing = new RoutingStage(subscriptions, outbox, buildAlertCard, () => sender?.wake(), { control: noise, work: openWork });
  const modelMetrics = new ModelMetrics(metrics.registry);
  const pilot = pilotFromConfig(config);
  const pool = createModelPool(config, clock, { observer: modelMetrics, pilot });
  // Enrichment edits the alert cards in place (queued ones before they go out, posted ones after).
  const updater: AlertUpdater = options.alertUpdater ?? outbox;
  const enrichment = pool.snapshot().configured
    ? new EnrichmentStage({ pool, pilot, updater, buildCard: buildAlertCard, clock, deadlineMs: config.ENRICH_DEADLINE_MS, observer: modelMetrics, log: logger })
    : undefined;
  const pipeline = new EventPipeline(decodeDelivery, [new LoopStage(tracker), routing, ...(enrichment ? [enrichment] : []), ...(options.stages ?? []), processedLog]);
  const worker = new InboxWorker({
    store,
    pipeline,
    clock,
    owner: workerOwner,
    concurrency: config.INBOX_CONCURRENCY,
    batchSize: config.INBOX_BATCH_SIZE,
    maxAttempts: config.INBOX_MAX_ATTEMPTS,
    retryBaseMs: config.INBOX_RETRY_BASE_MS,
    leaseMs: config.INBOX_LEASE_MS,
    pollMs: config.INBOX_POLL_MS,
    observer: {
      onProcessed: (item, ms) => metrics.onProcessed(item, ms),
      onRetry: (item, err, delayMs) => {
        metrics.onRetry(item);
        logger.warn({ err, delivery: item.deliveryId, attempt: item.attempts, delayMs }, 'processing failed; will retry');
      },
      onParked: (item, err) => {
        metrics.onParked(item);
        logger.error({ err, delivery: item.deliveryId, attempts: item.attempts }, 'processing failed for good; parked as failed');
      },
      onWorkerError: (err, item) => {
        metrics.onWorkerError();
        logger.warn({ err, delivery: item?.deliveryId }, 'inbox worker: store error or lost lease; will pick up again');
      },
    },
  });

  const githubOptions = githubClientOptionsFrom(config);
  const github: GitHubReader =
    options.github ??
    (githubOptions ? new OctokitReader({ clients: new GitHubClients(githubOptions), cacheTtlMs: config.GITHUB_CACHE_TTL_SECONDS * 1000 }) : unconfiguredReader());
  if (!githubOptions && !options.github) logger.info('no GitHub credentials (GITHUB_TOKEN or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY): the message extension answers with a "not connected" card');

  const teams = createTeamsApp(config, {
    logger,
    github,
    credentialsFactory: options.botCredentialsFactory,
    conversations,
    subscriptions,
    identity: new IdentityBook(store, clock, config.ADMIN_AAD_IDS),
    actorOverrides: tracker.overrides,
    cardActions: {
      store,
      // Writes are tried once, unthrottled: the guard decides about retries (octokit-actions.ts).
      github: cardActions && githubOptions ? new GuardedGitHub(guard, new OctokitActions({ clients: new GitHubClients({ ...githubOptions, retries: 0, throttle: false }) }), config.tenantId) : undefined,
    },
    chat: { store, clock, model: chatModelSettings(config), reader: github, pool, pilot, digest: digests, ...options.chat },
    noise: new NoiseChat(noise.settings, digests, clock, digestAt),
    status: {
      async status() {
        let ready = true;
        try {
          await store.ping();
        } catch {
          ready = false;
        }
        const counts = ready ? await store.inboxCounts() : { pending: 0, processing: 0, failed: 0 };
        return { store: store.kind, ready, pending: counts.pending, processing: counts.processing, failed: counts.failed };
      },
    },
  });

  sender = new ProactiveSender({
    adapter: teams.adapter,
    botAppId: config.BOT_ID ?? '',
    tenantId: config.tenantId,
    outbox,
    conversations,
    threads: new ThreadBook(store, clock),
    posted: new PostedAlerts(store, clock),
    guard,
    limits: new TeamsRateLimits(),
    clock,
    logger,
    owner: workerOwner,
    observer: metrics,
  });

  let draining = false;
  const server = createServer({ logger, metrics });
  mountHealthRoutes(server, { store, metrics, isDraining: () => draining, startedAt });
  mountWebhookRoute(server, { intake, maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES, onAccepted: () => worker.wake() });
  mountTeamsRoute(server, { teams, localMode: config.localMode });
  const tabAccess = tabApiAccess({
    localMode: config.localMode,
    tenantId: config.tenantId,
    sso: config.BOT_ID ? new TabSsoVerifier({ jwksUrl: config.TAB_SSO_JWKS_URL, audiences: ssoAudiences(config.BOT_ID, config.TAB_SSO_AUDIENCE, config.PUBLIC_BASE_URL), tenantId: config.tenantId }) : undefined,
  });
  mountChainsRoutes(server, { store, tenantId: config.tenantId, access: tabAccess });
  mountPoolRoutes(server, { pool: options.poolSnapshot ?? (() => pool.snapshot()), pilot: pool.snapshot().pilot, access: tabAccess });
  mountSubscriptionsRoutes(server, { store, subscriptions, conversations, access: tabAccess });
  mountTabStatic(server, { dir: config.TAB_DIST_DIR });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  publicUrl ||= url;

  if (options.worker !== false) {
    worker.start();
    sender.start();
    digests.start();
  }
  const recovery = deliveryRecoveryFrom(config, { store, clock, logger, metrics, owner: workerOwner });
  recovery?.start();
  const sweeper = setInterval(() => {
    store.sweepExpired().then(
      (n) => n > 0 && logger.debug({ deleted: n }, 'swept expired records'),
      (err) => logger.warn({ err }, 'sweep of expired records failed; will try again'),
    );
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  logger.info({ telemetry: telemetry.reason }, `telemetry: ${telemetry.enabled ? 'on' : 'off'} (${telemetry.reason})`);
  logger.info({ url, store: store.kind, localMode: config.localMode }, `Reynolds is listening on ${url} (store: ${store.kind})`);
  logger.info({ deployments: config.MODEL_DEPLOYMENTS.length, pilotStage: config.PILOT_STAGE, enrichment: enrichment !== undefined }, config.MODEL_DEPLOYMENTS.length > 0 ? `model pool: ${config.MODEL_DEPLOYMENTS.length} deployment(s), pilot at ${config.PILOT_STAGE}%` : 'model pool: no deployments configured; enrichment off');
  if (config.localMode) {
    logger.info(`local mode: no BOT_ID, so /api/messages accepts unauthenticated activities from this machine only, and the server binds to ${config.host}`);
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      draining = true;
      intake.stopAccepting();
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections?.();
      await recovery?.stop();
      await worker.stop(config.SHUTDOWN_GRACE_MS);
      await enrichment?.stop(config.SHUTDOWN_GRACE_MS);
      await pool.close();
      await digests.stop(config.SHUTDOWN_GRACE_MS);
      await sender?.stop(config.SHUTDOWN_GRACE_MS);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      server.server.closeAllConnections?.();
      await store.close();
      logger.info('Reynolds stopped');
    })());

  return { config, url, port, store, worker, tracker, guard, digests, server, logger, pool, pilot, github, recovery, stop };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const line of error.message.split('\n')) console.error(`CONFIG: ${line}`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const reynolds = await startReynolds(config);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130); // a second Ctrl-C means now
    reynolds.logger.info({ signal }, 'shutting down: finishing work in flight');
    reynolds.stop().then(
      () => process.exit(0),
      (err) => {
        reynolds.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(`Reynolds could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
