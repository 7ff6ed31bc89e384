/**
 * Orchestration's wiring (W2 3/7): the stage (dependency graph, trains, portfolio counters,
 * interventions), whose coordination notices go to each dependent's thread through the outbox as a
 * small card, whose interventions are logged, and the ticker that wakes its time-based rules once a
 * minute. The stage runs after routing in the pipeline (it counts routing's alerts).
 */
import { OrchestrationStage } from '../orchestration/orchestration-stage.js';
import { OrchestrationTicker } from '../orchestration/orchestration-ticker.js';
import type { AlertOutbox } from '../routing/alerts/alert-outbox.js';
import { CoordinationAlerts } from '../routing/alerts/coordination-alerts.js';
import type { SubscriptionBook } from '../routing/subscriptions/subscription-book.js';
import { buildCoordinationCard } from '../teams/cards/coordination-card.js';
import type { Foundation } from './foundation.js';

export type OrchestrationParts = ReturnType<typeof wireOrchestration>;

export function wireOrchestration(base: Foundation, books: { subscriptions: SubscriptionBook; outbox: AlertOutbox; wakeSender: () => void }) {
  const { config, clock, logger, store } = base;
  const coordinationAlerts = new CoordinationAlerts(books.subscriptions, books.outbox, buildCoordinationCard, books.wakeSender);
  const stage = new OrchestrationStage({
    store,
    clock,
    postNotices: async (context, notices) => void (await coordinationAlerts.post(context, notices)),
    onIntervention: (tenantId, raised) => logger.warn({ tenantId, rule: raised.rule, item: raised.item }, `intervention: ${raised.text}`),
  });
  const ticker = new OrchestrationTicker(stage, config.tenantId, (err) => logger.warn({ err }, 'orchestration tick failed; the next one tries again'));
  return { stage, ticker };
}
