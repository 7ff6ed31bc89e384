/**
 * A channel's subscription: which repositories (or a whole organization), which kinds of news
 * (features), and which filters narrow them. The chat syntax that creates one is in
 * subscription-syntax.ts; the matching of events against subscriptions is in router.ts.
 */
import type { BrokerEvent } from '../../core/broker-event.js';
import type { Priority } from '../../core/classification.js';

/** In the order they are listed and formatted. */
export const FEATURES = [
  'issues',
  'pulls',
  'reviews',
  'comments',
  'commits',
  'releases',
  'deployments',
  'workflows',
  'discussions',
  'security',
] as const;
export type Feature = (typeof FEATURES)[number];

/**
 * What a bare `subscribe owner/repo` gives. Not comments and not commits: on a busy repository
 * they are most of the traffic and little of the news (every review reply, every push to every
 * branch), so a channel that wants them asks for them by name.
 */
export const DEFAULT_FEATURES: readonly Feature[] = [
  'issues',
  'pulls',
  'reviews',
  'releases',
  'deployments',
  'workflows',
  'security',
];

export interface SubscriptionScope {
  owner: string;
  /** Absent: every repository of the owner. */
  repo?: string;
}

export interface SubscriptionFilters {
  /** An issue or PR passes with at least one `include` label (when any) and no `exclude` label. */
  labels?: { include: string[]; exclude: string[] };
  /** Events about a branch pass only for these branches (a PR's base branch, a push's branch). */
  branches?: string[];
  /** Only events by these authors (the PR/issue opener, else whoever acted). */
  authors?: string[];
  /** Only events at least this important. */
  minPriority?: Priority;
}

/** What a person chooses; the rest of a Subscription is bookkeeping. */
export interface SubscriptionSpec {
  scope: SubscriptionScope;
  features: Feature[];
  filters: SubscriptionFilters;
}

export interface Subscription extends SubscriptionSpec {
  id: string;
  tenantId: string;
  /** The Teams conversation (channel or chat) that receives the cards. */
  conversationId: string;
  /** Who subscribed (Teams user id or name), for the list and the audit. */
  createdBy: string;
  /** ISO 8601. */
  createdAt: string;
}

export function isFeature(value: string): value is Feature {
  return (FEATURES as readonly string[]).includes(value);
}

/** Deduplicated, in FEATURES order, so equal choices compare and print equal. */
export function canonicalFeatures(features: Iterable<Feature>): Feature[] {
  const chosen = new Set(features);
  return FEATURES.filter((feature) => chosen.has(feature));
}

export function isDefaultFeatureSet(features: readonly Feature[]): boolean {
  const canonical = canonicalFeatures(features);
  return (
    canonical.length === DEFAULT_FEATURES.length &&
    canonical.every((feature, index) => feature === DEFAULT_FEATURES[index])
  );
}

/** `owner` or `owner/repo`. */
export function scopeName(scope: SubscriptionScope): string {
  return scope.repo === undefined ? scope.owner : `${scope.owner}/${scope.repo}`;
}

/** GitHub owner and repository names are case-insensitive. */
export function sameScope(a: SubscriptionScope, b: SubscriptionScope): boolean {
  return (
    a.owner.toLowerCase() === b.owner.toLowerCase() &&
    a.repo?.toLowerCase() === b.repo?.toLowerCase()
  );
}

/**
 * What `unsubscribe` leaves of a subscription: without the named features, or nothing at all
 * (undefined) when none are named or none would remain.
 */
export function withoutFeatures(
  subscription: Subscription,
  features: readonly Feature[],
): Subscription | undefined {
  if (features.length === 0) return undefined;
  const remaining = subscription.features.filter((feature) => !features.includes(feature));
  return remaining.length === 0 ? undefined : { ...subscription, features: remaining };
}

/**
 * The feature each event type belongs to. Event types without one (stars, forks, labels, teams,
 * installations...) are never routed: no channel asked for administration traffic.
 * Every comment, wherever it is written, is `comments`; reviews and review threads are `reviews`.
 */
const FEATURE_OF_KIND: ReadonlyMap<string, Feature> = new Map<string, Feature>([
  ['issues', 'issues'],
  ['pull_request', 'pulls'],
  ['pull_request_review', 'reviews'],
  ['pull_request_review_thread', 'reviews'],
  ['issue_comment', 'comments'],
  ['pull_request_review_comment', 'comments'],
  ['commit_comment', 'comments'],
  ['discussion_comment', 'comments'],
  ['push', 'commits'],
  ['release', 'releases'],
  ['package', 'releases'],
  ['registry_package', 'releases'],
  ['deployment', 'deployments'],
  ['deployment_status', 'deployments'],
  ['deployment_review', 'deployments'],
  ['check_run', 'workflows'],
  ['check_suite', 'workflows'],
  ['workflow_run', 'workflows'],
  ['workflow_job', 'workflows'],
  ['workflow_dispatch', 'workflows'],
  ['status', 'workflows'],
  ['page_build', 'workflows'],
  ['merge_group', 'workflows'],
  ['discussion', 'discussions'],
  ['code_scanning_alert', 'security'],
  ['dependabot_alert', 'security'],
  ['repository_vulnerability_alert', 'security'],
  ['secret_scanning_alert', 'security'],
  ['secret_scanning_alert_location', 'security'],
  ['security_advisory', 'security'],
  ['public', 'security'],
]);

export function featureOf(event: BrokerEvent): Feature | undefined {
  // Milestoning a PR arrives as an `issues` event about the PR.
  if (event.kind === 'issues' && event.target?.kind === 'pull_request') return 'pulls';
  // A repository made public is a security matter; its other repository events are administration.
  if (event.kind === 'repository') return event.action === 'publicized' ? 'security' : undefined;
  return FEATURE_OF_KIND.get(event.kind);
}
