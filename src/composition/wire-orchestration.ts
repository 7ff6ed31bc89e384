/**
 * Orchestration's wiring (W2 3/7): the stage (dependency graph, trains, portfolio counters,
 * interventions), whose coordination notices go to each dependent's thread through the outbox as a
 * small card, whose interventions are logged and posted to the conversations following the
 * repository (in the item's thread), and the ticker that wakes its time-based rules once a
 * minute. The stage runs after routing in the pipeline (it counts routing's alerts).
 */
import { OrchestrationStage } from '../orchestration/orchestration-stage.js';
import { OrchestrationTicker } from '../orchestration/orchestration-ticker.js';
import type { AlertOutbox } from '../routing/alerts/alert-outbox.js';
import { CoordinationAlerts } from '../routing/alerts/coordination-alerts.js';
import { InterventionAlerts } from '../routing/alerts/intervention-alerts.js';
import type { SubscriptionBook } from '../routing/subscriptions/subscription-book.js';
import type { ChainTracker } from '../loops/chain-tracker.js';
import { buildCoordinationCard } from '../teams/cards/coordination-card.js';
import { buildInterventionCard } from '../teams/cards/intervention-card.js';
import { scheduledChainStarter } from './scheduled-chain-starter.js';
import type { Foundation } from './foundation.js';

export type OrchestrationParts = ReturnType<typeof wireOrchestration>;

export function wireOrchestration(
  base: Foundation,
  books: {
    subscriptions: SubscriptionBook;
    outbox: AlertOutbox;
    tracker: ChainTracker;
    wakeSender: () => void;
  },
) {
  const { config, clock, logger, store } = base;
  const coordinationAlerts = new CoordinationAlerts(
    books.subscriptions,
    books.outbox,
    buildCoordinationCard,
    books.wakeSender,
  );
  const interventionAlerts = new InterventionAlerts(
    books.subscriptions,
    books.outbox,
    buildInterventionCard,
    scheduledChainStarter(books.tracker, clock),
    books.wakeSender,
  );
  const stage = new OrchestrationStage({
    store,
    clock,
    postNotices: async (context, notices) => void (await coordinationAlerts.post(context, notices)),
    onIntervention: async (tenantId, raised) => {
      logger.info(
        { tenantId, rule: raised.rule, item: raised.item },
        `intervention: ${raised.text}`,
      );
      await interventionAlerts.post(tenantId, raised);
    },
  });
  const ticker = new OrchestrationTicker(stage, config.tenantId, (err) =>
    logger.warn({ err }, 'orchestration tick failed; the next one tries again'),
  );
  return { stage, ticker };
}
