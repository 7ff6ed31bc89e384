/**
 * GitHub's side of the wiring: the webhook intake, the books (subscriptions, conversations,
 * outbox), the loop tracker and write guard, noise control and digests, the model pool, and the
 * pipeline (decode → loop → route → orchestrate → enrich → extra stages → log) run by the inbox worker.
 */
import { EventPipeline } from '../broker/event-pipeline.js';
import { InboxWorker } from '../broker/inbox-worker.js';
import { decodeDelivery } from '../github/decode-delivery.js';
import { WebhookIntake } from '../github/intake.js';
import { ModelMetrics } from '../http/model-metrics.js';
import { ChainTracker } from '../loops/chain-tracker.js';
import { LoopStage } from '../loops/loop-stage.js';
import { WriteGuard } from '../loops/write-guard.js';
import { EnrichmentStage, type AlertUpdater } from '../models/enrichment-stage.js';
import { AlertOutbox } from '../routing/alerts/alert-outbox.js';
import { LoopAlerts } from '../routing/alerts/loop-alerts.js';
import { RoutingStage } from '../routing/routing-stage.js';
import { SubscriptionBook } from '../routing/subscriptions/subscription-book.js';
import {
  alertCardBuilder,
  buildChainBroken,
  cardActionsEnabled,
} from '../teams/cards/alert-card-builder.js';
import { ConversationBook } from '../teams/sending/conversation-book.js';
import type { Foundation } from './foundation.js';
import type { LateBindings } from './late-bindings.js';
import { noiseFromConfig } from './noise-from-config.js';
import { createModelPool, pilotFromConfig } from './pool-from-config.js';
import { processedLogStage } from './processed-log-stage.js';
import { loopSettingsFrom } from './settings-from-config.js';
import type { StartOptions } from './start-options.js';
import { workerObserver } from './worker-observer.js';
import { wireOrchestration } from './wire-orchestration.js';

export type PipelineParts = ReturnType<typeof wirePipeline>;

export function wirePipeline(
  base: Foundation,
  late: LateBindings,
  options: Pick<StartOptions, 'stages' | 'alertUpdater'>,
) {
  const { config, clock, logger, store, metrics } = base;
  const intake = new WebhookIntake({
    secret: config.GITHUB_WEBHOOK_SECRET!,
    store,
    clock,
    tenantId: config.tenantId,
    observer: metrics,
    onStoreError: (err, delivery) =>
      logger.error({ err, delivery }, 'could not store a webhook delivery; answered 503'),
  });

  const subscriptions = new SubscriptionBook(store, clock);
  const conversations = new ConversationBook(store, clock);
  const outbox = new AlertOutbox(store, clock, config.tenantId);
  const loopAlerts = new LoopAlerts(
    subscriptions,
    outbox,
    buildChainBroken,
    late.chainUrl,
    late.wakeSender,
  );
  const tracker = new ChainTracker(store, clock, loopSettingsFrom(config), {
    onBreak: async (chain, node) => {
      metrics.onChainBroken();
      await loopAlerts.chainBroken(chain, node);
      // The Teams admin alert is sent by the notifier once channels exist; the log says it now.
      logger.warn(
        {
          chain: chain.chainId,
          repo: chain.repo,
          score: chain.score,
          reason: chain.reason,
          node: node.nodeId,
        },
        `loop stopped: chain ${chain.chainId} (${chain.root}) broken: ${chain.reason}`,
      );
    },
  });
  const guard = new WriteGuard(tracker, store, clock);

  const { noise, openWork, digests, digestAt } = noiseFromConfig(config, {
    store,
    clock,
    logger,
    outbox,
    subscriptions,
    tracker,
    metrics,
    wake: late.wakeSender,
  });
  const cardActions = cardActionsEnabled(config);
  const buildAlertCard = alertCardBuilder(cardActions);
  const routing = new RoutingStage(subscriptions, outbox, buildAlertCard, late.wakeSender, {
    control: noise,
    work: openWork,
  });
  const modelMetrics = new ModelMetrics(metrics.registry);
  const pilot = pilotFromConfig(config);
  const pool = createModelPool(config, clock, { observer: modelMetrics, pilot });
  // Enrichment edits the alert cards in place (queued ones before they go out, posted ones after).
  const updater: AlertUpdater = options.alertUpdater ?? outbox;
  const enrichment = pool.snapshot().configured
    ? new EnrichmentStage({
        pool,
        pilot,
        updater,
        buildCard: buildAlertCard,
        clock,
        deadlineMs: config.ENRICH_DEADLINE_MS,
        observer: modelMetrics,
        log: logger,
      })
    : undefined;
  const orchestration = wireOrchestration(base, {
    subscriptions,
    outbox,
    tracker,
    wakeSender: late.wakeSender,
  }); // after routing: it counts routing's alerts
  const pipeline = new EventPipeline(decodeDelivery, [
    new LoopStage(tracker),
    routing,
    orchestration.stage,
    ...(enrichment ? [enrichment] : []),
    ...(options.stages ?? []),
    processedLogStage(metrics, logger),
  ]);
  const worker = new InboxWorker({
    store,
    pipeline,
    clock,
    owner: base.workerOwner,
    concurrency: config.INBOX_CONCURRENCY,
    batchSize: config.INBOX_BATCH_SIZE,
    maxAttempts: config.INBOX_MAX_ATTEMPTS,
    retryBaseMs: config.INBOX_RETRY_BASE_MS,
    leaseMs: config.INBOX_LEASE_MS,
    pollMs: config.INBOX_POLL_MS,
    observer: workerObserver(metrics, logger),
  });
  return {
    intake,
    subscriptions,
    conversations,
    outbox,
    tracker,
    guard,
    noise,
    digests,
    digestAt,
    cardActions,
    pool,
    pilot,
    enrichment,
    worker,
    orchestration,
  };
}
