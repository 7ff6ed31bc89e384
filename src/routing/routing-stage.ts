/**
 * The pipeline stage that classifies an event, finds the conversations that subscribed to it, and
 * queues one card per conversation in the outbox. Sending is the proactive sender's job, so a slow
 * or throttled Teams never holds the inbox back, and an alert is never lost between the two.
 */
import type { PipelineContext, PipelineStage } from '../broker/event-pipeline.js';
import type { BrokerEvent } from '../github/broker-event.js';
import type { EnrichmentNotes } from '../models/enrichment-notes.js';
import type { AlertOutbox } from './alert-outbox.js';
import type { Classification } from './classification.js';
import { classify } from './classifier.js';
import { route, type CardFamily } from './router.js';
import type { SubscriptionBook } from './subscription-book.js';

export interface AlertCardInput {
  event: BrokerEvent;
  classification: Classification;
  family: CardFamily;
  chain: { chainId: string; nodeId: string };
  /** What the model pool added after the card first went out (the enrichment stage rebuilds it). */
  enrichment?: EnrichmentNotes;
}

/** Builds the card for an alert (src/teams/cards); injected so routing stays framework-free. */
export type AlertCardBuilder = (input: AlertCardInput) => { card: Record<string, unknown>; text: string };

export class RoutingStage implements PipelineStage {
  readonly name = 'routing';

  constructor(
    private readonly subscriptions: SubscriptionBook,
    private readonly outbox: AlertOutbox,
    private readonly buildCard: AlertCardBuilder,
    private readonly onQueued: () => void = () => undefined,
  ) {}

  async run(context: PipelineContext): Promise<void> {
    const { event, item, loop } = context;
    const classification = classify(event);
    context.classification = classification;
    if (!loop) throw new Error('the routing stage needs the loop stage before it');
    const deliveries = route(event, classification, await this.subscriptions.forTenant(event.tenantId), loop.verdict);
    let queued = 0;
    context.alerts = [];
    for (const delivery of deliveries) {
      const { card, text } = this.buildCard({ event, classification, family: delivery.cardFamily, chain: { chainId: loop.node.chainId, nodeId: loop.node.nodeId } });
      const added = await this.outbox.enqueue({
        tenantId: event.tenantId,
        conversationId: delivery.conversationId,
        threadKey: delivery.threadKey,
        card,
        text,
        priority: classification.priority,
        deliveryKey: item.key,
        chainId: loop.node.chainId,
        nodeId: loop.node.nodeId,
        depth: loop.node.depth,
      });
      if (added) {
        queued += 1;
        context.alerts.push({ alertId: `${item.key}|${delivery.conversationId}`, conversationId: delivery.conversationId, family: delivery.cardFamily });
      }
    }
    if (queued > 0) this.onQueued();
  }
}
