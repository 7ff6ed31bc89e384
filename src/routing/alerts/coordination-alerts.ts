/**
 * Posts orchestration's coordination notices ("unblocked: acme/api#12 merged") into the thread of
 * each dependent, in every conversation subscribed to the dependent's repository. Through the
 * outbox like any alert (durable, rate-limited, retried, threaded by `owner/repo#N`); one entry per
 * (delivery, dependent, conversation), so a rerun of the pipeline queues nothing twice.
 */
import type { BrokerEvent } from '../../core/broker-event.js';
import type { CoordinationCardBuilder, CoordinationNotice } from '../../core/coordination.js';
import type { PipelineContext } from '../../core/pipeline.js';
import type { AlertOutbox } from './alert-outbox.js';
import { scopeCovers } from '../subscriptions/router.js';
import type { SubscriptionBook } from '../subscriptions/subscription-book.js';

export class CoordinationAlerts {
  constructor(
    private readonly subscriptions: SubscriptionBook,
    private readonly outbox: AlertOutbox,
    private readonly buildCard: CoordinationCardBuilder,
    private readonly onQueued: () => void = () => undefined,
  ) {}

  /** Returns how many cards it queued. */
  async post(context: PipelineContext, notices: readonly CoordinationNotice[]): Promise<number> {
    const { event, item, loop } = context;
    if (!loop)
      throw new Error(
        'coordination alerts need the loop stage before them (a post is an act on the chain)',
      );
    const subscriptions = await this.subscriptions.forTenant(event.tenantId);
    let queued = 0;
    for (const notice of notices) {
      const [owner, name] = notice.dependent.repo.split('/') as [string, string];
      const probe = { repo: { owner, name, fullName: notice.dependent.repo } } as BrokerEvent;
      const conversations = new Set(
        subscriptions.filter((s) => scopeCovers(s.scope, probe)).map((s) => s.conversationId),
      );
      const { card, text } = this.buildCard(notice);
      const dependent = `${notice.dependent.repo}#${notice.dependent.number}`;
      for (const conversationId of conversations) {
        const added = await this.outbox.enqueue({
          tenantId: event.tenantId,
          conversationId,
          threadKey: dependent,
          card,
          text,
          priority: notice.kind === 'warning' ? 'P2' : 'P3',
          deliveryKey: `${item.key}|coordination|${dependent}`,
          chainId: loop.node.chainId,
          nodeId: loop.node.nodeId,
          depth: loop.node.depth,
        });
        if (added) queued += 1;
      }
    }
    if (queued > 0) this.onQueued();
    return queued;
  }
}
