/**
 * Noise control as configured: burst collapse and folding (NoiseControl), the open-work projection
 * the digest reads (OpenWork), and the daily digest (DigestScheduler). Part of the composition
 * root (src/index.ts), kept apart so that file stays one screenful of wiring.
 */
import type { Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import type { ReynoldsMetrics } from '../http/metrics.js';
import type { Logger } from '../log.js';
import type { ChainTracker } from '../loops/chain-tracker.js';
import type { AlertOutbox } from '../routing/alerts/alert-outbox.js';
import { DigestScheduler } from '../routing/noise/digest.js';
import { NoiseControl } from '../routing/noise/noise-control.js';
import { OpenWork } from '../routing/noise/open-work.js';
import type { SubscriptionBook } from '../routing/subscriptions/subscription-book.js';
import type { Store } from '../store/store.js';
import { noiseCards } from '../teams/cards/noise-cards.js';
import { scheduledChainStarter } from './scheduled-chain-starter.js';

export interface NoiseDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  outbox: AlertOutbox;
  subscriptions: SubscriptionBook;
  tracker: ChainTracker;
  metrics: ReynoldsMetrics;
  /** Tells the proactive sender something was queued. */
  wake: () => void;
}

export function noiseFromConfig(config: Config, deps: NoiseDeps) {
  const { store, clock, logger, outbox, subscriptions, tracker, metrics } = deps;
  const noise = new NoiseControl({
    store,
    clock,
    outbox,
    cards: noiseCards,
    burstWindowMs: config.BURST_WINDOW_SECONDS * 1000,
    ...(config.FOLD_BACKLOG > 0 && { foldBacklog: config.FOLD_BACKLOG }),
    observer: metrics,
  });
  const openWork = new OpenWork(store, clock);
  const digestAt = `${String(config.DIGEST_HOUR).padStart(2, '0')}:00`;
  const digests = new DigestScheduler({
    store,
    clock,
    logger,
    tenantId: config.tenantId,
    outbox,
    noise,
    subscriptions,
    work: openWork,
    cards: noiseCards,
    defaultAt: digestAt,
    reviewWaitMs: config.DIGEST_REVIEW_WAIT_HOURS * 3600_000,
    staleMs: config.DIGEST_STALE_DAYS * 24 * 3600_000,
    // A digest is caused by no event: it starts a chain of its own, so the guard can place the post.
    startChain: scheduledChainStarter(tracker, clock),
    observer: metrics,
    onQueued: deps.wake,
  });
  return { noise, openWork, digests, digestAt };
}
