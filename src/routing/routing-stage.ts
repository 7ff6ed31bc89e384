/**
 * The pipeline stage that classifies an event, finds the conversations that subscribed to it, and
 * queues one card per conversation in the outbox. Sending is the proactive sender's job, so a slow
 * or throttled Teams never holds the inbox back, and an alert is never lost between the two.
 */
import type { AlertCardBuilder } from '../core/card-builders.js';
import type { PipelineContext, PipelineStage } from '../core/pipeline.js';
import type { AlertOutbox } from './alerts/alert-outbox.js';
import type { Classification } from '../core/classification.js';
import { classify } from './classification/classifier.js';
import { route } from './subscriptions/router.js';
import type { NoiseControl, StormHint } from './noise/noise-control.js';
import { deliveryKeyOfNode } from '../core/chain-records.js';
import type { OpenWork } from './noise/open-work.js';
import type { SubscriptionBook } from './subscriptions/subscription-book.js';

export class RoutingStage implements PipelineStage {
  readonly name = 'routing';

  constructor(
    private readonly subscriptions: SubscriptionBook,
    private readonly outbox: AlertOutbox,
    private readonly buildCard: AlertCardBuilder,
    private readonly onQueued: () => void = () => undefined,
    /** Quiet mode, bursts and folding (noise-control.ts), and the digest's view of open work. */
    private readonly noise?: { control: NoiseControl; work: OpenWork },
  ) {}

  async run(context: PipelineContext): Promise<void> {
    const { event, loop } = context;
    const classification = classify(event);
    context.classification = classification;
    if (!loop) throw new Error('the routing stage needs the loop stage before it');
    // The digest's projection is written beside the routing, not before it: one commit less to wait for.
    const [, queued] = await Promise.all([
      this.noise?.work.observe(event),
      this.queue(context, classification, loop),
    ]);
    if (queued > 0) this.onQueued();
  }

  /** Queues the alert for each conversation that gets one; returns how many outbox writes it made. */
  private async queue(
    context: PipelineContext,
    classification: Classification,
    loop: NonNullable<PipelineContext['loop']>,
  ): Promise<number> {
    const { event, item } = context;
    const deliveries = route(
      event,
      classification,
      await this.subscriptions.forTenant(event.tenantId),
      loop.verdict,
    );
    const storm = stormHint(event, loop);
    let queued = 0;
    context.alerts = [];
    for (const delivery of deliveries) {
      const { card, text } = this.buildCard({
        event,
        classification,
        family: delivery.cardFamily,
        chain: { chainId: loop.node.chainId, nodeId: loop.node.nodeId },
      });
      const entry = {
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
      };
      if (this.noise && !(await this.noise.control.place(event, classification, entry, storm))) {
        queued += 1; // collapsed into a burst card, held or folded: an update may be queued, the sender should look
        continue;
      }
      if (await this.outbox.enqueue(entry)) {
        queued += 1;
        // A card of its own: enrichment may edit it later.
        context.alerts.push({
          alertId: `${item.key}|${delivery.conversationId}`,
          conversationId: delivery.conversationId,
          family: delivery.cardFamily,
        });
      }
    }
    return queued;
  }
}

/**
 * A storm in the loop guard's words: the event repeats the one before it (same actor, same text,
 * same target, nobody in between), or its chain is dampened. Undefined for ordinary events.
 */
function stormHint(
  event: PipelineContext['event'],
  loop: NonNullable<PipelineContext['loop']>,
): StormHint | undefined {
  const first = loop.repeatOf && deliveryKeyOfNode(loop.repeatOf.nodeId);
  const dampened = loop.verdict === 'dampen';
  if (first === undefined && !dampened) return undefined;
  const where = `${event.repo?.fullName ?? event.org ?? 'GitHub'}${event.target?.number !== undefined ? `#${event.target.number}` : event.target ? ` ${event.target.key}` : ''}`;
  const what = /comment/.test(event.kind)
    ? 'comment'
    : event.kind === 'pull_request_review'
      ? 'review'
      : /labeled$/.test(event.action ?? '')
        ? 'label change'
        : `${event.kind.replace(/_/g, ' ')} event`;
  return {
    ...(first !== undefined &&
      loop.repeatOf && {
        repeatOf: {
          deliveryKey: first,
          count: loop.repeatOf.count,
          firstAt: loop.repeatOf.firstAt,
        },
      }),
    ...(dampened && { dampenedChain: loop.node.chainId }),
    what,
    where,
  };
}
