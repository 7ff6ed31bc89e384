/**
 * Where subscriptions live: one record per (conversation, scope) in the store, partitioned by
 * tenant, so "what does this tenant want?" is one partition read. The router asks for a tenant's
 * subscriptions on every event, so the answer is cached briefly; a change made through this
 * process is seen at once, one made through another replica within the cache's lifetime.
 */
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';
import {
  canonicalFeatures,
  sameScope,
  scopeName,
  withoutFeatures,
  type Feature,
  type Subscription,
  type SubscriptionScope,
  type SubscriptionSpec,
} from './subscription.js';

/** How long a tenant's subscriptions are cached for routing. */
const CACHE_MS = 5_000;
/** More than any tenant should need; the list reply says so if it is reached. */
export const MAX_SUBSCRIPTIONS_PER_TENANT = 2_000;

export type SubscribeOutcome = {
  status: 'created' | 'updated' | 'unchanged';
  subscription: Subscription;
};
export type UnsubscribeOutcome =
  { status: 'removed' | 'reduced'; subscription: Subscription } | { status: 'not_found' };

export class SubscriptionBook {
  private readonly cache = new Map<string, { at: number; subscriptions: Subscription[] }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async subscribe(
    tenantId: string,
    conversationId: string,
    spec: SubscriptionSpec,
    createdBy: string,
  ): Promise<SubscribeOutcome> {
    const id = subscriptionId(conversationId, spec.scope);
    const existing = await this.store.getRecord<Subscription>('subscription', tenantId, id);
    const features = canonicalFeatures(spec.features);
    if (
      existing &&
      JSON.stringify({ f: canonicalFeatures(existing.data.features), x: existing.data.filters }) ===
        JSON.stringify({ f: features, x: spec.filters })
    ) {
      return { status: 'unchanged', subscription: existing.data };
    }
    const subscription: Subscription = {
      id,
      tenantId,
      conversationId,
      scope: spec.scope,
      features,
      filters: spec.filters,
      createdBy: existing?.data.createdBy ?? createdBy,
      createdAt: existing?.data.createdAt ?? new Date(this.clock.now()).toISOString(),
    };
    await this.save(subscription);
    return { status: existing ? 'updated' : 'created', subscription };
  }

  async unsubscribe(
    tenantId: string,
    conversationId: string,
    scope: SubscriptionScope,
    features: readonly Feature[],
  ): Promise<UnsubscribeOutcome> {
    const id = subscriptionId(conversationId, scope);
    const existing = await this.store.getRecord<Subscription>('subscription', tenantId, id);
    if (!existing || !sameScope(existing.data.scope, scope)) return { status: 'not_found' };
    const remaining = withoutFeatures(existing.data, features);
    if (remaining) {
      await this.save(remaining);
      return { status: 'reduced', subscription: remaining };
    }
    await this.store.deleteRecord('subscription', tenantId, id);
    this.cache.delete(tenantId);
    return { status: 'removed', subscription: existing.data };
  }

  /** A conversation's subscriptions, oldest first. */
  async list(tenantId: string, conversationId: string): Promise<Subscription[]> {
    return (await this.forTenant(tenantId, { fresh: true })).filter(
      (s) => s.conversationId === conversationId,
    );
  }

  /** Every subscription of the tenant (cached for routing). */
  async forTenant(tenantId: string, options: { fresh?: boolean } = {}): Promise<Subscription[]> {
    const cached = this.cache.get(tenantId);
    if (!options.fresh && cached && this.clock.now() - cached.at < CACHE_MS)
      return cached.subscriptions;
    const records = await this.store.queryRecords<Subscription>({
      kind: 'subscription',
      tenantId,
      partition: tenantId,
      limit: MAX_SUBSCRIPTIONS_PER_TENANT,
    });
    const subscriptions = records
      .map((r) => r.data)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    this.cache.set(tenantId, { at: this.clock.now(), subscriptions });
    return subscriptions;
  }

  /** Reynolds was removed from a conversation: its subscriptions go with it. */
  async removeConversation(tenantId: string, conversationId: string): Promise<number> {
    const mine = await this.list(tenantId, conversationId);
    for (const subscription of mine)
      await this.store.deleteRecord('subscription', tenantId, subscription.id);
    this.cache.delete(tenantId);
    return mine.length;
  }

  private async save(subscription: Subscription): Promise<void> {
    await this.store.putRecord({
      kind: 'subscription',
      tenantId: subscription.tenantId,
      partition: subscription.tenantId,
      id: subscription.id,
      data: subscription,
    });
    this.cache.delete(subscription.tenantId);
  }
}

/** One subscription per conversation and scope; names compare without case, as on GitHub. */
export function subscriptionId(conversationId: string, scope: SubscriptionScope): string {
  return `${conversationId}|${scopeName(scope).toLowerCase()}`;
}
