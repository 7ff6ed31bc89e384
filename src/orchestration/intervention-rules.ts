/**
 * The intervention rules, pure: each says when to look at an item (`checkAt`) and whether, at a
 * given moment, it is in trouble worth raising (`holds`), with the sentence a person reads. Rules
 * fire *before* impact: a `lead` fraction of each impact window (the review SLA, the red-branch
 * limit, the approval wait) is when they speak, so someone can still act. Thresholds are per scope.
 */
import type { WorkItem, WorkItemKind } from './work-item.js';

export type RuleId =
  'review_wait' | 'branch_red' | 'train_blocked' | 'deployment_wait' | 'dependency_moved';

export const RULES: readonly RuleId[] = [
  'review_wait',
  'branch_red',
  'train_blocked',
  'deployment_wait',
  'dependency_moved',
];

/** The rules that can hold for each kind of item (so a change reads only the records it could touch). */
export const RULES_FOR: Record<WorkItemKind, readonly RuleId[]> = {
  pull_request: ['review_wait', 'dependency_moved', 'train_blocked'],
  issue: ['train_blocked'],
  branch: ['branch_red'],
  deployment: ['deployment_wait'],
};

export interface InterventionThresholds {
  /** Impact: a PR without a first review this long after it opened. */
  reviewSlaMs: number;
  /** Impact: a default branch red for longer than this. */
  redBranchMs: number;
  /** How long before a train's due date a blocked (or red) item is raised. */
  trainWindowMs: number;
  /** Impact: a deployment waiting this long for approval. */
  deploymentWaitMs: number;
  /** Impact: a PR not updated this long after something it depends on merged. */
  dependencyUpdateMs: number;
  /** Rules speak at this fraction of their impact window (0.5: half way to the SLA). */
  lead: number;
}

const HOUR = 3_600_000;

export const DEFAULT_THRESHOLDS: InterventionThresholds = {
  reviewSlaMs: 24 * HOUR,
  redBranchMs: 2 * HOUR,
  trainWindowMs: 3 * 24 * HOUR,
  deploymentWaitMs: 4 * HOUR,
  dependencyUpdateMs: 48 * HOUR,
  lead: 0.6,
};

/**
 * Which occurrence of a trouble this is: a default branch goes red many times, and each time is
 * raised once; the other rules watch items that have one life (a PR, a deployment run).
 */
export function episodeOf(rule: RuleId, item: WorkItem): string {
  return rule === 'branch_red' && item.since !== undefined ? `${item.key}~${item.since}` : item.key;
}

/** When the rule should look at the item next; undefined when it has nothing to watch. */
export function checkAt(
  rule: RuleId,
  item: WorkItem,
  t: InterventionThresholds,
): number | undefined {
  switch (rule) {
    case 'review_wait':
      // Only for a PR seen opening: one first met at a later event has an unknown age.
      return item.kind === 'pull_request' &&
        item.state === 'open' &&
        item.sawOpened === true &&
        item.firstReviewAt === undefined
        ? item.openedAt + t.lead * t.reviewSlaMs
        : undefined;
    case 'branch_red':
      return item.kind === 'branch' && item.state === 'red' && item.since !== undefined
        ? item.since + t.lead * t.redBranchMs
        : undefined;
    case 'deployment_wait':
      return item.kind === 'deployment' && item.state === 'waiting' && item.since !== undefined
        ? item.since + t.lead * t.deploymentWaitMs
        : undefined;
    case 'dependency_moved':
      return item.kind === 'pull_request' &&
        item.state === 'open' &&
        item.dependencyMovedAt !== undefined &&
        (item.lastPushAt ?? item.openedAt) < item.dependencyMovedAt
        ? item.dependencyMovedAt + t.lead * t.dependencyUpdateMs
        : undefined;
    case 'train_blocked':
      return item.state === 'open' &&
        item.dueOn !== undefined &&
        ((item.blockedBy ?? 0) > 0 || item.ci === 'red')
        ? item.dueOn - t.trainWindowMs
        : undefined;
  }
}

export function holds(
  rule: RuleId,
  item: WorkItem,
  now: number,
  t: InterventionThresholds,
): boolean {
  const at = checkAt(rule, item, t);
  return at !== undefined && now >= at && !(item.draft && rule === 'review_wait');
}

export function message(
  rule: RuleId,
  item: WorkItem,
  now: number,
  t: InterventionThresholds,
): string {
  const hours = (ms: number) => `${Math.round(ms / HOUR)}h`;
  const name = item.title ? `${item.key} (${item.title})` : item.key;
  switch (rule) {
    case 'review_wait':
      return `${name} has waited ${hours(now - item.openedAt)} for a first review; the SLA is ${hours(t.reviewSlaMs)}`;
    case 'branch_red':
      return `${item.key} has been red for ${hours(now - (item.since ?? now))}; the limit is ${hours(t.redBranchMs)}`;
    case 'deployment_wait':
      return `deployment ${item.key} has waited ${hours(now - (item.since ?? now))} for approval`;
    case 'dependency_moved':
      return `${name}: something it depends on merged ${hours(now - (item.dependencyMovedAt ?? now))} ago and it has not been updated since`;
    case 'train_blocked':
      return `${name} is ${(item.blockedBy ?? 0) > 0 ? 'blocked' : 'failing checks'} and train ${item.train ?? ''} is due ${new Date(item.dueOn ?? now).toISOString().slice(0, 10)}`;
  }
}
