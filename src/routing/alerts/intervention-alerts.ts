/**
 * Posts each intervention orchestration raises to every conversation subscribed to its repository,
 * in the item's thread when it is an issue or PR. Through the outbox like any alert; one entry per
 * (intervention, conversation), so the once-only raise stays once-only in Teams. An intervention
 * raised by the periodic tick was caused by no event, so it starts a chain of its own (as the
 * digest does) for the write guard to place the post on.
 */
import type { InterventionCardBuilder, InterventionNotice } from '../../core/coordination.js';
import type { BrokerEvent } from '../../core/broker-event.js';
import type { AlertOutbox } from './alert-outbox.js';
import { scopeCovers } from '../subscriptions/router.js';
import type { SubscriptionBook } from '../subscriptions/subscription-book.js';

/**
 * Starts a chain for a post no event caused; the same shape as the digest's ScheduledChainStarter
 * (routing/noise/digest.ts), restated here because noise imports alerts and folders form a DAG.
 */
export type ChainStarter = (
  tenantId: string,
  what: string,
) => Promise<{ chainId: string; nodeId: string; depth: number }>;

export class InterventionAlerts {
  constructor(
    private readonly subscriptions: SubscriptionBook,
    private readonly outbox: AlertOutbox,
    private readonly buildCard: InterventionCardBuilder,
    private readonly startChain: ChainStarter,
    private readonly onQueued: () => void = () => undefined,
  ) {}

  /** Returns how many cards it queued. */
  async post(tenantId: string, notice: InterventionNotice): Promise<number> {
    const [owner, name] = notice.repo.split('/') as [string, string];
    const probe = { repo: { owner, name, fullName: notice.repo } } as BrokerEvent;
    const conversations = new Set(
      (await this.subscriptions.forTenant(tenantId))
        .filter((s) => scopeCovers(s.scope, probe))
        .map((s) => s.conversationId),
    );
    if (conversations.size === 0) return 0;
    const key = `intervention:${notice.rule}|${notice.item}`;
    const chain = await this.startChain(tenantId, key);
    const { card, text } = this.buildCard(notice);
    let queued = 0;
    for (const conversationId of conversations) {
      const added = await this.outbox.enqueue({
        tenantId,
        conversationId,
        // Threads are keyed with the repository as GitHub spells it (keys of items are lower case).
        ...(notice.item.includes('#') && {
          threadKey: `${notice.repo}${notice.item.slice(notice.item.lastIndexOf('#'))}`,
        }),
        card,
        text,
        priority: 'P2',
        deliveryKey: key,
        ...chain,
      });
      if (added) queued += 1;
    }
    if (queued > 0) this.onQueued();
    return queued;
  }
}
