/**
 * GitHub's recurring objects, the subjects of most events (issues, pull requests, discussions,
 * comments, runs, alerts, deployments), read into the details a BrokerEvent is made of. The
 * generic, never-throwing readers they use live in payload-fields.ts.
 */
import {
  type BrokerTarget,
  PATHS_LIMIT,
  type Severity,
  type TargetKind,
} from '../core/broker-event.js';
import {
  type Json,
  record,
  at,
  text,
  integer,
  idKey,
  labelNames,
  branchFromRef,
  changedAt,
} from './payload-fields.js';

// GitHub's recurring objects (the subject of most events), read into EventDetails.

/** What one event type adds to the shared fields; `occurredAt` is already ISO. */
export interface EventDetails {
  target?: BrokerTarget | undefined;
  url?: string | undefined;
  title?: string | undefined;
  body?: string | undefined;
  labels?: string[] | undefined;
  branch?: string | undefined;
  sha?: string | undefined;
  state?: string | undefined;
  occurredAt?: string | undefined;
  performedViaAppId?: number | undefined;
  author?: string | undefined;
  assignees?: string[] | undefined;
  requestedReviewers?: string[] | undefined;
  changedReviewer?: string | undefined;
  baseBranch?: string | undefined;
  severity?: Severity | undefined;
  environment?: string | undefined;
  changedPaths?: string[] | undefined;
}

/** Actions on which an issue, PR or discussion body is news; on any other it is old text. */
const BODY_ACTIONS = new Set(['opened', 'created', 'edited']);

export function targetOf(
  kind: TargetKind,
  key: string | undefined,
  number?: number,
): BrokerTarget | undefined {
  if (key === undefined) return undefined;
  return number === undefined ? { kind, key } : { kind, key, number };
}

/**
 * The common case: one object in the payload is the subject, keyed `<prefix>:<id>`, with its own
 * page, name, state and change timestamps.
 */
export function subjectDetails(
  subject: unknown,
  kind: TargetKind,
  prefix: string,
  id = 'id',
  title = 'name',
): EventDetails {
  return {
    target: targetOf(kind, idKey(prefix, at(subject, id))),
    url: text(at(subject, 'html_url')),
    title: text(at(subject, title)),
    state: text(at(subject, 'state')),
    occurredAt: changedAt(subject),
  };
}

/** Issues, pull requests and discussions: `#<number>` threads with a title, labels and a state. */
export function threadDetails(
  subject: unknown,
  kind: TargetKind,
  action: string | undefined,
  number?: unknown,
): EventDetails {
  const threadNumber = integer(at(subject, 'number')) ?? integer(number);
  return {
    target:
      threadNumber === undefined ? undefined : targetOf(kind, `#${threadNumber}`, threadNumber),
    url: text(at(subject, 'html_url')),
    title: text(at(subject, 'title')),
    body: action !== undefined && BODY_ACTIONS.has(action) ? text(at(subject, 'body')) : undefined,
    labels: labelNames(at(subject, 'labels')),
    state: text(at(subject, 'state')),
    occurredAt: changedAt(subject),
    performedViaAppId: integer(at(subject, 'performed_via_github_app', 'id')),
    author: text(at(subject, 'user', 'login')),
    assignees: principalsOf(at(subject, 'assignees')),
  };
}

/** GitHub models a pull request as an issue too; issue payloads mark it with `pull_request`. */
export function issueDetails(issue: unknown, action: string | undefined): EventDetails {
  return threadDetails(issue, record(at(issue, 'pull_request')) ? 'pull_request' : 'issue', action);
}

export function pullRequestDetails(pr: unknown, action?: string, number?: unknown): EventDetails {
  const merged = at(pr, 'merged') === true || text(at(pr, 'merged_at')) !== undefined;
  const thread = threadDetails(pr, 'pull_request', action, number);
  const reviewers = [at(pr, 'requested_reviewers'), at(pr, 'requested_teams')]
    .filter(Array.isArray)
    .flat();
  return {
    ...thread,
    branch: text(at(pr, 'head', 'ref')),
    sha: text(at(pr, 'head', 'sha')),
    state: merged ? 'merged' : thread.state,
    requestedReviewers: principalsOf(reviewers, pullRequestOrg(pr)),
    baseBranch: text(at(pr, 'base', 'ref')),
  };
}

/** Where a PR's teams live: team slugs are only unique within their organization. */
export function pullRequestOrg(pr: unknown): string | undefined {
  return text(at(pr, 'base', 'repo', 'owner', 'login'));
}

/**
 * A user's login, or a team as `org/slug`: GitHub lists both as reviewers, and a slug is only a
 * name within its organization, so a team without one is dropped rather than mistaken for a user.
 */
export function principalOf(value: unknown, org?: string): string | undefined {
  const login = text(at(value, 'login'));
  if (login !== undefined) return login;
  const slug = text(at(value, 'slug'));
  return slug !== undefined && org !== undefined ? `${org}/${slug}` : undefined;
}

/** The distinct principals of a list of users or teams; absent when there are none. */
export function principalsOf(value: unknown, org?: string): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const found = new Set<string>();
  for (const entry of value) {
    const principal = principalOf(entry, org);
    if (principal !== undefined) found.add(principal);
  }
  return found.size > 0 ? [...found] : undefined;
}

/** A comment is an act of its own: its body, link, time and app replace the thread's. */
export function commentDetails(thread: EventDetails, comment: unknown): EventDetails {
  return {
    ...thread,
    url: text(at(comment, 'html_url')) ?? thread.url,
    body: text(at(comment, 'body')),
    occurredAt: changedAt(comment) ?? thread.occurredAt,
    performedViaAppId: integer(at(comment, 'performed_via_github_app', 'id')),
  };
}

/** Check runs and suites, workflow runs and jobs: GitHub's conclusion once there is one, else the status. */
export function runDetails(kind: TargetKind, prefix: string, run: unknown): EventDetails {
  return {
    ...subjectDetails(run, kind, prefix),
    branch: text(at(run, 'head_branch')),
    sha: text(at(run, 'head_sha')),
    state: text(at(run, 'conclusion')) ?? text(at(run, 'status')),
    author: text(at(run, 'triggering_actor', 'login')) ?? text(at(run, 'actor', 'login')),
  };
}

/** GitHub's severity words, per alert type, on the one BrokerEvent scale. */
const SEVERITIES: ReadonlyMap<string, Severity> = new Map([
  ['critical', 'critical'],
  ['high', 'high'],
  ['moderate', 'medium'],
  ['medium', 'medium'],
  ['low', 'low'],
  // Code-scanning rule severities, for alerts without a security severity. GitHub's default
  // merge protection fails on `error`, as it does on high security severity.
  ['error', 'high'],
  ['warning', 'medium'],
  ['note', 'low'],
]);

/** The first candidate that is a known severity word (case-insensitive). */
export function severityOf(...candidates: unknown[]): Severity | undefined {
  for (const candidate of candidates) {
    const severity = SEVERITIES.get(text(candidate)?.toLowerCase() ?? '');
    if (severity !== undefined) return severity;
  }
  return undefined;
}

export function alertDetails(
  prefix: string,
  alert: unknown,
  id: unknown,
  ...titles: unknown[]
): EventDetails {
  return {
    target: targetOf('alert', idKey(prefix, id)),
    url: text(at(alert, 'html_url')),
    title: titles.map(text).find((title) => title !== undefined),
    state: text(at(alert, 'state')),
    occurredAt: changedAt(alert),
  };
}

/** A deployment's ref may be a branch, a tag or a bare sha; only a name that is not the sha is kept. */
export function deploymentDetails(deployment: unknown): EventDetails {
  const ref = text(at(deployment, 'ref'));
  const sha = text(at(deployment, 'sha'));
  return {
    target: targetOf('deployment', idKey('deployment', at(deployment, 'id'))),
    title: text(at(deployment, 'environment')),
    branch:
      ref === undefined || ref === sha
        ? undefined
        : ref.startsWith('refs/')
          ? branchFromRef(ref)
          : ref,
    sha,
    occurredAt: changedAt(deployment),
    author: text(at(deployment, 'creator', 'login')),
    environment: text(at(deployment, 'environment')),
  };
}

/**
 * The files a push's commits added, modified or removed, first seen first, at most PATHS_LIMIT.
 * The scan stops there too, so a hostile list costs no more than a capped one.
 */
export function changedPathsOf(commits: unknown): string[] | undefined {
  if (!Array.isArray(commits)) return undefined;
  const paths = new Set<string>();
  for (const commit of commits) {
    for (const list of ['added', 'modified', 'removed']) {
      const files = at(commit, list);
      if (!Array.isArray(files)) continue;
      for (const file of files) {
        if (paths.size >= PATHS_LIMIT) return [...paths];
        const path = text(file);
        if (path !== undefined) paths.add(path);
      }
    }
  }
  return paths.size > 0 ? [...paths] : undefined;
}

export function userDetails(user: unknown): EventDetails {
  const login = text(at(user, 'login'));
  return { target: targetOf('member', login), url: text(at(user, 'html_url')), title: login };
}

/** A list, or an empty one: for payload arrays read item by item. */
export function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The organization (else the repository owner) of a payload: where its team slugs live. */
export function payloadOrg(payload: Json): string | undefined {
  return (
    text(at(payload, 'organization', 'login')) ?? text(at(payload, 'repository', 'owner', 'login'))
  );
}

// Subjects only a few event types carry, moved here to keep normalise.ts a table.

export function repositoryTarget(payload: Json): BrokerTarget | undefined {
  return targetOf('repository', text(at(payload, 'repository', 'full_name')));
}

/** create and delete name the ref without its prefix and say separately whether it is a branch or a tag. */
export function createdOrDeletedRef(payload: Json, state?: string): EventDetails {
  const name = text(at(payload, 'ref'));
  const type = at(payload, 'ref_type');
  const prefix = type === 'branch' ? 'refs/heads/' : type === 'tag' ? 'refs/tags/' : undefined;
  const ref = name?.startsWith('refs/')
    ? name
    : name !== undefined && prefix !== undefined
      ? prefix + name
      : undefined;
  return { target: targetOf('ref', ref), title: name, branch: branchFromRef(ref), state };
}

export function installationDetails(payload: Json): EventDetails {
  const installation = at(payload, 'installation');
  return {
    target: targetOf('app', idKey('installation', at(installation, 'id'))),
    url: text(at(installation, 'html_url')),
    title: text(at(installation, 'account', 'login')) ?? text(at(payload, 'account', 'login')),
  };
}

export function packageDetails(pkg: unknown): EventDetails {
  return {
    ...subjectDetails(pkg, 'package', 'package'),
    url: text(at(pkg, 'package_version', 'html_url')) ?? text(at(pkg, 'html_url')),
  };
}

export function releaseState(release: unknown, action: string | undefined): string | undefined {
  if (action === 'deleted') return 'deleted';
  if (at(release, 'draft') === true) return 'draft';
  if (at(release, 'prerelease') === true) return 'prerelease';
  return text(at(release, 'published_at')) ? 'published' : undefined;
}

export function secretScanningDetails(payload: Json): EventDetails {
  const alert = at(payload, 'alert');
  const titles = [at(alert, 'secret_type_display_name'), at(alert, 'secret_type')];
  return alertDetails('secret_scanning_alert', alert, at(alert, 'number'), ...titles);
}
