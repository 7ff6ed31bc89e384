/**
 * Decides which conversations get a card for an event, in which thread, and which kind of card.
 *
 * A subscription matches when it belongs to the event's tenant, its scope covers the repository
 * (owner and repo compared ignoring case, as GitHub does), it subscribes to the event's feature,
 * and every filter passes. A conversation gets one delivery however many of its subscriptions
 * match. A chain the loop guard has broken gets no deliveries (the admin alert about the break is
 * sent separately); a dampened chain still does, because dampening stops write-backs, not alerts.
 */
import type { CardFamily } from '../../core/card-builders.js';
import type { BrokerEvent } from '../../core/broker-event.js';
import { type Classification, isAtLeast } from '../../core/classification.js';
import {
  type Subscription,
  type SubscriptionFilters,
  type SubscriptionScope,
  featureOf,
} from './subscription.js';

/** The loop guard's verdict on the event's chain (src/loops). */
export type LoopVerdict = 'proceed' | 'dampen' | 'break';

export interface RouteDelivery {
  conversationId: string;
  /** The subscription that asked for it: the repository-wide one when an org-wide one matched too. */
  subscriptionId: string;
  /** Cards with the same key go in one thread; undefined starts no thread. */
  threadKey?: string;
  cardFamily: CardFamily;
}

export function route(
  event: BrokerEvent,
  classification: Classification,
  subscriptions: readonly Subscription[],
  loopVerdict: LoopVerdict,
): RouteDelivery[] {
  if (loopVerdict === 'break') return [];
  const feature = featureOf(event);
  if (feature === undefined) return [];
  const chosen = new Map<string, Subscription>();
  for (const subscription of subscriptions) {
    if (subscription.tenantId !== event.tenantId) continue;
    if (!scopeCovers(subscription.scope, event) || !subscription.features.includes(feature))
      continue;
    if (!filtersPass(subscription.filters, event, classification)) continue;
    const earlier = chosen.get(subscription.conversationId);
    // The more specific subscription speaks for the conversation; among equals, the first.
    if (
      earlier === undefined ||
      (earlier.scope.repo === undefined && subscription.scope.repo !== undefined)
    ) {
      chosen.set(subscription.conversationId, subscription);
    }
  }
  const threadKey = threadKeyOf(event);
  const cardFamily = cardFamilyOf(event);
  return [...chosen.values()].map((subscription) => ({
    conversationId: subscription.conversationId,
    subscriptionId: subscription.id,
    ...(threadKey !== undefined && { threadKey }),
    cardFamily,
  }));
}

function sameName(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** An event without an owner (a global security advisory) is in no one's scope. */
export function scopeCovers(scope: SubscriptionScope, event: BrokerEvent): boolean {
  const owner = event.repo?.owner ?? event.org;
  if (!sameName(scope.owner, owner)) return false;
  return scope.repo === undefined || sameName(scope.repo, event.repo?.name);
}

/** Targets that carry labels; label filters say nothing about pushes, checks or releases. */
const LABELLED_TARGETS = new Set(['issue', 'pull_request', 'discussion']);

export function filtersPass(
  filters: SubscriptionFilters,
  event: BrokerEvent,
  classification: Classification,
): boolean {
  const { labels, branches, authors, minPriority } = filters;
  if (minPriority !== undefined && !isAtLeast(classification.priority, minPriority)) return false;
  if (labels !== undefined && LABELLED_TARGETS.has(event.target?.kind ?? '')) {
    const has = (wanted: string): boolean => event.labels.some((label) => sameName(label, wanted));
    if (labels.include.length > 0 && !labels.include.some(has)) return false;
    if (labels.exclude.some(has)) return false;
  }
  if (branches !== undefined && branches.length > 0) {
    // A PR's branch, for a filter, is the one it merges into. Events about no branch pass.
    const branch =
      event.target?.kind === 'pull_request' ? (event.baseBranch ?? event.branch) : event.branch;
    if (branch !== undefined && !branches.includes(branch)) return false;
  }
  if (authors !== undefined && authors.length > 0) {
    // Whose it is: the PR or issue opener, else whoever acted. Nobody to attribute it to: it fails.
    const author = event.author ?? event.actor?.login;
    if (!authors.some((wanted) => sameName(wanted, author))) return false;
  }
  return true;
}

/**
 * `owner/repo#42` for issues, PRs and discussions, so every update about one thread lands in one
 * Teams thread; `owner/repo@<tag>` for releases; `owner/repo:<alert>` for a security alert's
 * life; `owner/repo@<sha>` for a push and the checks, statuses and deployments of its commit;
 * `owner/repo@<ref>` for a ref with no commit (a deleted branch); else none.
 */
export function threadKeyOf(event: BrokerEvent): string | undefined {
  const where = event.repo?.fullName ?? event.org;
  if (where === undefined) return undefined;
  const target = event.target;
  if (target?.number !== undefined) return `${where}#${target.number}`;
  if (target?.kind === 'release') return `${where}@${target.key}`;
  if (target?.kind === 'alert') return `${where}:${target.key}`;
  // All zeros is GitHub's "no commit" (the `after` of a deleted ref).
  if (event.sha !== undefined && !/^0+$/.test(event.sha)) return `${where}@${event.sha}`;
  if (target?.kind === 'ref') return `${where}@${target.key}`;
  return undefined;
}

const CARD_FAMILY_OF_KIND: ReadonlyMap<string, CardFamily> = new Map<string, CardFamily>([
  ['pull_request', 'pull_request'],
  ['issues', 'issue'],
  ['pull_request_review', 'review'],
  ['pull_request_review_thread', 'review'],
  ['issue_comment', 'comment'],
  ['pull_request_review_comment', 'comment'],
  ['commit_comment', 'comment'],
  ['discussion_comment', 'comment'],
  ['push', 'push'],
  ['release', 'release'],
  ['package', 'release'],
  ['registry_package', 'release'],
  ['deployment', 'deployment'],
  ['deployment_status', 'deployment'],
  ['deployment_review', 'deployment'],
  ['check_run', 'workflow'],
  ['check_suite', 'workflow'],
  ['workflow_run', 'workflow'],
  ['workflow_job', 'workflow'],
  ['workflow_dispatch', 'workflow'],
  ['status', 'workflow'],
  ['page_build', 'workflow'],
  ['merge_group', 'workflow'],
  ['code_scanning_alert', 'security'],
  ['dependabot_alert', 'security'],
  ['repository_vulnerability_alert', 'security'],
  ['secret_scanning_alert', 'security'],
  ['secret_scanning_alert_location', 'security'],
  ['security_advisory', 'security'],
  ['public', 'security'],
  ['discussion', 'discussion'],
]);

export function cardFamilyOf(event: BrokerEvent): CardFamily {
  if (event.kind === 'issues' && event.target?.kind === 'pull_request') return 'pull_request';
  if (event.kind === 'repository' && event.action === 'publicized') return 'security';
  return CARD_FAMILY_OF_KIND.get(event.kind) ?? 'generic';
}
