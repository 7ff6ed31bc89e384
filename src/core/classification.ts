/**
 * What the classifier says about one event: how much it matters, how soon someone should act, what
 * sort of thing it is, who it concerns and why. docs/classification.md is the rubric.
 */

/** P0 matters most. Order matters: PRIORITIES[0] is the highest. */
export const PRIORITIES = ['P0', 'P1', 'P2', 'P3'] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * How soon a person should act, which is not always how much it matters: a review request is
 * ordinary work (P2) but a teammate is blocked until it happens (today).
 * - immediate: drop what you are doing (minutes).
 * - today: within the working day.
 * - this_week: in the normal course of work.
 * - whenever: nothing to do; for the record.
 */
export const URGENCIES = ['immediate', 'today', 'this_week', 'whenever'] as const;
export type Urgency = (typeof URGENCIES)[number];

/**
 * - security: alerts, advisories, leaked secrets, a repository made public.
 * - ci_failure: something automated that builds, tests or ships the code failed (checks,
 *   workflows, statuses, Pages builds, deployments).
 * - release: something shipped or is shipping (releases, packages, deployments that did not fail).
 * - review_request: a person's review or approval is being waited for.
 * - incident: something is broken for users (bug/incident/outage/regression/sev issues, reverts).
 * - dependency_update: Dependabot and Renovate pull requests.
 * - discussion: conversation (GitHub Discussions and comments).
 * - housekeeping: administration and bot chores (stars, forks, labels, teams, installs, bot edits).
 * - activity: ordinary development traffic that fits nothing else (PRs, issues, pushes, passing CI).
 */
export const CATEGORIES = [
  'security',
  'ci_failure',
  'release',
  'review_request',
  'incident',
  'dependency_update',
  'discussion',
  'housekeeping',
  'activity',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Classification {
  priority: Priority;
  urgency: Urgency;
  category: Category;
  /**
   * GitHub logins (teams as `org/team-slug`), deduplicated ignoring case, in a stable order:
   * assignees, requested reviewers, author, mentioned users, CODEOWNERS owners of changed paths.
   */
  stakeholders: string[];
  /** Why, in words a person understands; the first is the rule that decided the priority. */
  reasons: string[];
  /** Id of the rubric rule that decided (docs/classification.md), for tracing a surprising card. */
  rule: string;
}

/** 0 for P0 … 3 for P3: lower is more important. */
export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

/** True when `priority` is `minimum` or more important (P0 is at least P1). */
export function isAtLeast(priority: Priority, minimum: Priority): boolean {
  return priorityRank(priority) <= priorityRank(minimum);
}

/** One step less important, stopping at P3. */
export function lowerPriority(priority: Priority): Priority {
  return PRIORITIES[Math.min(priorityRank(priority) + 1, PRIORITIES.length - 1)] ?? 'P3';
}

/** The urgency a priority implies when a rule has no reason to differ. */
export const DEFAULT_URGENCY: Readonly<Record<Priority, Urgency>> = {
  P0: 'immediate',
  P1: 'today',
  P2: 'this_week',
  P3: 'whenever',
};

export function isPriority(value: string): value is Priority {
  return (PRIORITIES as readonly string[]).includes(value);
}
