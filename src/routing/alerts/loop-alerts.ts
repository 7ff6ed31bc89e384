/**
 * When the loop guard breaks a chain, the admins of every conversation subscribed to its
 * repository get one alert that says what happened and why, with a link to the chain. It goes
 * through the outbox like any alert (durable, rate-limited, retried), and the guard lets exactly
 * this one post through on a broken chain.
 */
import type { ChainBrokenCardBuilder } from '../../core/card-builders.js';
import type { ChainNode, ChainSummary } from '../../core/chain-records.js';
import type { AlertOutbox } from './alert-outbox.js';
import { scopeCovers } from '../subscriptions/router.js';
import type { SubscriptionBook } from '../subscriptions/subscription-book.js';

/** Builds the admins' card (src/teams/cards); injected so routing stays framework-free. */
export class LoopAlerts {
  constructor(
    private readonly subscriptions: SubscriptionBook,
    private readonly outbox: AlertOutbox,
    private readonly buildCard: ChainBrokenCardBuilder,
    /** Where a person can see a chain (the tab, or the chains API). */
    private readonly chainUrl: (chainId: string) => string,
    private readonly onQueued: () => void = () => undefined,
  ) {}

  async chainBroken(chain: ChainSummary, node: ChainNode): Promise<number> {
    if (!chain.repo) return 0;
    const [owner, name] = chain.repo.split('/') as [string, string];
    const probe = { repo: { owner, name, fullName: chain.repo } } as Parameters<
      typeof scopeCovers
    >[1];
    const conversations = new Set(
      (await this.subscriptions.forTenant(chain.tenantId))
        .filter((s) => scopeCovers(s.scope, probe))
        .map((s) => s.conversationId),
    );
    const { card, text } = this.buildCard({ chain, chainUrl: this.chainUrl(chain.chainId) });
    let queued = 0;
    for (const conversationId of conversations) {
      const added = await this.outbox.enqueue({
        kind: 'admin_alert',
        tenantId: chain.tenantId,
        conversationId,
        card,
        text,
        priority: 'P1',
        deliveryKey: `chain-broken:${chain.chainId}`,
        chainId: chain.chainId,
        nodeId: node.nodeId,
        depth: node.depth,
      });
      if (added) queued += 1;
    }
    if (queued > 0) this.onQueued();
    return queued;
  }
}
