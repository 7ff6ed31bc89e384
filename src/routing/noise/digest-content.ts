/**
 * What a conversation's digest says, computed from the open-work projection, the conversation's
 * subscriptions and the alerts held for it: PRs waiting for review longer than N hours, failing
 * default branches, issues with no activity for D days, held alerts, and who to nudge. Pure.
 */
import type { HeldAlert } from './held-alerts.js';
import type { FailingBranch, OpenIssue, OpenPullRequest, OpenWorkItem } from './open-work.js';
import { scopeCovers } from '../subscriptions/router.js';
import type { Subscription } from '../subscriptions/subscription.js';

export interface DigestThresholds {
  reviewWaitMs: number;
  staleMs: number;
}

export interface Nudge {
  /** GitHub login (Teams mentions come once identities are mapped). */
  login: string;
  /** What they are waited on for, e.g. `review o/r#12`. */
  asks: string[];
}

export interface Digest {
  conversationId: string;
  /** Local date it is for, `YYYY-MM-DD`. */
  date: string;
  awaitingReview: Array<OpenPullRequest & { waitingMs: number }>;
  failing: Array<FailingBranch & { failingMs: number }>;
  stale: Array<OpenIssue & { idleMs: number }>;
  held: HeldAlert[];
  nudges: Nudge[];
}

const LIST_LIMIT = 15;

export function isEmptyDigest(digest: Digest): boolean {
  return (
    digest.awaitingReview.length +
      digest.failing.length +
      digest.stale.length +
      digest.held.length ===
    0
  );
}

export function buildDigest(args: {
  conversationId: string;
  date: string;
  now: number;
  work: readonly OpenWorkItem[];
  subscriptions: readonly Subscription[];
  held: readonly HeldAlert[];
  thresholds: DigestThresholds;
}): Digest {
  const { now, thresholds } = args;
  const mine = args.subscriptions.filter((s) => s.conversationId === args.conversationId);
  const covered = (repo: string) => {
    const [owner, name] = repo.split('/');
    return mine.some((s) =>
      scopeCovers(s.scope, { repo: { owner: owner!, name: name!, fullName: repo } } as Parameters<
        typeof scopeCovers
      >[1]),
    );
  };
  const relevant = args.work.filter((w) => covered(w.repo));
  const awaitingReview = relevant
    .filter(
      (w): w is OpenPullRequest =>
        w.type === 'pr' &&
        w.requestedReviewers.length > 0 &&
        w.reviewRequestedAt !== undefined &&
        now - w.reviewRequestedAt >= thresholds.reviewWaitMs,
    )
    .map((w) => ({ ...w, waitingMs: now - w.reviewRequestedAt! }))
    .sort((a, b) => b.waitingMs - a.waitingMs)
    .slice(0, LIST_LIMIT);
  const failing = relevant
    .filter((w): w is FailingBranch => w.type === 'failing')
    .map((w) => ({ ...w, failingMs: now - w.since }))
    .sort((a, b) => b.failingMs - a.failingMs)
    .slice(0, LIST_LIMIT);
  const stale = relevant
    .filter(
      (w): w is OpenIssue => w.type === 'issue' && now - w.lastActivityAt >= thresholds.staleMs,
    )
    .map((w) => ({ ...w, idleMs: now - w.lastActivityAt }))
    .sort((a, b) => b.idleMs - a.idleMs)
    .slice(0, LIST_LIMIT);
  return {
    conversationId: args.conversationId,
    date: args.date,
    awaitingReview,
    failing,
    stale,
    held: [...args.held],
    nudges: nudgesOf(awaitingReview, stale),
  };
}

/** Reviewers of waiting PRs, then assignees of stale issues; teams (`org/slug`) included. */
function nudgesOf(
  awaitingReview: readonly OpenPullRequest[],
  stale: readonly OpenIssue[],
): Nudge[] {
  const byLogin = new Map<string, Nudge>();
  const ask = (login: string, what: string) => {
    const key = login.toLowerCase();
    const nudge = byLogin.get(key) ?? { login, asks: [] };
    nudge.asks.push(what);
    byLogin.set(key, nudge);
  };
  for (const pr of awaitingReview)
    for (const reviewer of pr.requestedReviewers) ask(reviewer, `review ${pr.repo}#${pr.number}`);
  for (const issue of stale)
    for (const assignee of issue.assignees) ask(assignee, `${issue.repo}#${issue.number}`);
  return [...byLogin.values()];
}
