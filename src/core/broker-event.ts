/**
 * The one shape every GitHub delivery takes inside Reynolds, whatever its event type.
 *
 * The core (broker/, loops/, routing/) reads only this; it never touches a raw payload, so a new
 * GitHub event type needs a change in normalise.ts and nowhere else. Unknown event types still
 * become a BrokerEvent (`known: false`) with whatever common fields the payload carries.
 */

/** What an event is about: the thing a thread, a fingerprint or a card hangs off. */
export type TargetKind =
  | 'issue'
  | 'pull_request'
  | 'discussion'
  | 'commit'
  | 'ref'
  | 'release'
  | 'check'
  | 'workflow'
  | 'deployment'
  | 'alert'
  | 'package'
  | 'repository'
  | 'organization'
  | 'team'
  | 'member'
  | 'project'
  | 'milestone'
  | 'label'
  | 'page'
  | 'app'
  | 'other';

export interface BrokerTarget {
  kind: TargetKind;
  /**
   * Stable within a repository (or org, for org-level targets): `#42` for issues, PRs and
   * discussions, a commit sha, `refs/heads/main`, a release tag, a check suite/run id...
   * Used as the threading and fingerprint key, so two events about the same thing share it.
   */
  key: string;
  /** Issue, PR or discussion number when there is one. */
  number?: number;
}

export interface BrokerActor {
  login: string;
  id?: number;
  /** GitHub's `sender.type`: 'User', 'Bot', 'Organization'... */
  type?: string;
  /** True for GitHub App bots (`type === 'Bot'` or a `[bot]` login). Token-driven bots look like users. */
  isBot: boolean;
}

export interface BrokerRepo {
  owner: string;
  name: string;
  /** `owner/name`. */
  fullName: string;
  private?: boolean;
  defaultBranch?: string;
}

export interface BrokerEvent {
  /** Tenant the delivery belongs to (every record carries one). */
  tenantId: string;
  /** `X-GitHub-Delivery`. */
  deliveryId: string;
  /** `X-GitHub-Event`, e.g. `pull_request`. */
  kind: string;
  action?: string;
  /** False when the event type is not one Reynolds knows; it is kept, never dropped. */
  known: boolean;
  repo?: BrokerRepo;
  /** Organization or repository owner login. */
  org?: string;
  installationId?: number;
  target?: BrokerTarget;
  actor?: BrokerActor;
  /** `performed_via_github_app.id` when the act was done by a GitHub App on a user's behalf. */
  performedViaAppId?: number;
  /** The most useful html_url for a person: the PR, the comment, the release, the compare view... */
  url?: string;
  title?: string;
  /**
   * Free text the event carries (comment body, review body, issue/PR body on open/edit), capped
   * at BODY_LIMIT characters so one huge body cannot swell every downstream record. A longer
   * body keeps its start and its last 512 characters (where chain markers live), joined by `…`.
   */
  body?: string;
  labels: string[];
  /** The label this event added or removed (`labeled`/`unlabeled` actions, and `label` events). */
  changedLabel?: string;
  /** Branch name (without refs/heads/) when the event is about one. */
  branch?: string;
  sha?: string;
  /** State after the event, in GitHub's words: open, closed, merged, success, failure, ... */
  state?: string;
  /**
   * Who the subject belongs to: the login that opened the issue, PR or discussion (also on
   * comments, reviews and edits of it), published the release, created the deployment or
   * triggered the workflow run. Not the sender: a review on your PR is sent by the reviewer.
   */
  author?: string;
  /** Logins assigned to the issue or PR; absent when none. */
  assignees?: string[];
  /**
   * Reviewers whose review is pending on the PR (or whose approval a deployment waits for):
   * logins, and teams as `org/team-slug` (a slash, which no login has). Absent when none.
   */
  requestedReviewers?: string[];
  /** The reviewer (login or `org/team-slug`) a `review_requested` or `review_request_removed` action names. */
  changedReviewer?: string;
  /** A PR's base branch: the branch it merges into. */
  baseBranch?: string;
  /**
   * How bad a security alert or advisory is, on one scale for all of GitHub's vocabularies:
   * advisories' `moderate` is `medium`; a code-scanning alert without a security severity uses its
   * rule severity (`error` → high, `warning` → medium, `note` → low). Secret-scanning alerts carry none.
   */
  severity?: Severity;
  /** Deployment environment (`production`, `staging`, `github-pages`...). */
  environment?: string;
  /**
   * Files a push added, modified or removed, across its commits, deduplicated, at most
   * PATHS_LIMIT of them. GitHub lists files per commit only for the first commits of a push.
   */
  changedPaths?: string[];
  /** The milestone an issue or PR belongs to: its title names a release train (orchestration/). */
  milestone?: { title: string; dueOn?: string };
  /**
   * GitHub's own link between two issues, from `sub_issues` and `issue_dependencies` events: the
   * dependent waits for the dependency (a parent for its sub-issue, a blocked issue for its blocker).
   */
  issueLink?: IssueLink;
  /** When the thing happened according to the payload, ISO 8601; falls back to receivedAt. */
  occurredAt: string;
  /** When Reynolds received the delivery, ISO 8601. */
  receivedAt: string;
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** An issue or PR anywhere on GitHub: `owner/name` and its number. */
export interface WorkItemRef {
  repo: string;
  number: number;
}

export interface IssueLink {
  relation: 'sub_issue' | 'blocked_by';
  dependent: WorkItemRef;
  dependency: WorkItemRef;
  /** False when the link was removed. */
  added: boolean;
}

/** Cap on BrokerEvent.changedPaths: a push of a vendored tree must not swell every record. */
export const PATHS_LIMIT = 1_000;

/** Cap on BrokerEvent.body, in characters. */
export const BODY_LIMIT = 16_384;
