/**
 * Reading GitHub webhook JSON without trusting its shape: first single fields, then the objects
 * GitHub reuses across events (repository, sender, issue/PR, comment, check or workflow run,
 * alert, deployment), each read into the EventDetails fragment normalise.ts assembles.
 *
 * @octokit/webhooks-types describes what GitHub means to send, but a delivery is only JSON that
 * passed a signature check: fields go missing, arrive null, or change type between API versions.
 * Every reader here answers `undefined` (or an empty list) instead of throwing or passing a wrong
 * type along, so normalise.ts can stay a flat table of "take this if it is there".
 */
import { type BrokerActor, type BrokerRepo, type BrokerTarget, PATHS_LIMIT, type Severity, type TargetKind } from './broker-event.js';

export type Json = Record<string, unknown>;

export function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/**
 * `at(payload, 'pull_request', 'head', 'ref')`. Own properties only, so a key such as
 * `constructor` can never reach Object.prototype.
 */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    const object = record(current);
    if (!object || !Object.hasOwn(object, key)) return undefined;
    current = object[key];
  }
  return current;
}

/** A non-empty string: GitHub sends '' for "none" in places (empty target_url, commit_oid). */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Strictly a number: a numeric string is a wrong type, not an id. */
export function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

export function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : undefined;
}

/** `prefix:id` for ids that are numbers or strings (GHSA ids, node ids, paths). */
export function idKey(prefix: string, id: unknown): string | undefined {
  const value = integer(id) ?? text(id);
  return value === undefined ? undefined : `${prefix}:${value}`;
}

export function firstLine(value: unknown): string | undefined {
  return text(text(value)?.split('\n', 1)[0]?.trim());
}

export function capText(value: unknown, limit: number): string | undefined {
  const full = text(value);
  if (full === undefined || full.length <= limit) return full;
  const cut = full.slice(0, limit);
  // Cutting between the halves of a surrogate pair would leave invalid UTF-16 behind.
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** Characters kept from the end of a long body: signatures and chain markers live there. */
export const BODY_TAIL = 512;
export const ELISION = '\n…\n';

/**
 * Caps a body at `limit` characters keeping both ends: the start says what it is about, the end
 * carries the marker that links an event to the act that caused it.
 */
export function capBody(value: unknown, limit: number): string | undefined {
  const full = text(value);
  if (full === undefined || full.length <= limit) return full;
  const head = capText(full, limit - BODY_TAIL - ELISION.length) ?? '';
  let tail = full.slice(-BODY_TAIL);
  const first = tail.charCodeAt(0);
  if (first >= 0xdc00 && first <= 0xdfff) tail = tail.slice(1); // do not start on half a pair
  return head + ELISION + tail;
}

export function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const names: string[] = [];
  for (const label of value) {
    const name = text(at(label, 'name'));
    if (name !== undefined) names.push(name);
  }
  return names;
}

const BRANCH_PREFIX = 'refs/heads/';

/** The branch of a full ref; tags and other refs (refs/pull/1/merge) have none. */
export function branchFromRef(ref: unknown): string | undefined {
  const full = text(ref);
  return full?.startsWith(BRANCH_PREFIX) ? text(full.slice(BRANCH_PREFIX.length)) : undefined;
}

/** Date-time with an explicit zone: without one, Date.parse would read it in the host's zone. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Beyond this toISOString switches to six-digit years, which nothing downstream expects. */
const LAST_MS = Date.UTC(10_000, 0, 1) - 1;

export function isoFromMs(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= LAST_MS ? new Date(ms).toISOString() : undefined;
}

/** GitHub timestamps are ISO strings, except a few repository/installation fields in unix seconds. */
export function isoTimestamp(value: unknown): string | undefined {
  if (typeof value === 'number') return isoFromMs(value * 1000);
  if (typeof value === 'string' && ISO_DATE_TIME.test(value)) return isoFromMs(Date.parse(value));
  return undefined;
}

/**
 * The latest valid timestamp among the candidates. A subject's newest timestamp (closed_at,
 * fixed_at, updated_at...) is the best record of when the change being delivered happened.
 */
export function latestTimestamp(...values: unknown[]): string | undefined {
  let latest: string | undefined;
  for (const value of values) {
    const iso = isoTimestamp(value);
    // ISO strings in Z with four-digit years sort as their instants do.
    if (iso !== undefined && (latest === undefined || iso > latest)) latest = iso;
  }
  return latest;
}

/**
 * Fields that record a change to the object carrying them. Dates about the future (due_on,
 * next_billing_date, effective_date) and about other things (pushed_at on a repository being
 * renamed) are deliberately absent.
 */
const CHANGE_TIMESTAMPS = [
  'created_at',
  'updated_at',
  'closed_at',
  'merged_at',
  'submitted_at',
  'published_at',
  'started_at',
  'run_started_at',
  'completed_at',
  'answer_chosen_at',
  'fixed_at',
  'dismissed_at',
  'auto_dismissed_at',
  'resolved_at',
  'archived_at',
  'withdrawn_at',
  'suspended_at',
];

/** When the subject last changed, which for the subject of a delivery is (nearly always) the delivered change. */
export function changedAt(subject: unknown): string | undefined {
  return latestTimestamp(...CHANGE_TIMESTAMPS.map((field) => at(subject, field)));
}

/**
 * owner and name come from full_name when it has that shape, so the three always agree: some of
 * GitHub's own recorded payloads pair `Codertocat/Hello-World` with `owner.login: 'Octocoders'`.
 */
export function repositoryOf(value: unknown): BrokerRepo | undefined {
  const repo = record(value);
  if (!repo) return undefined;
  const parts = text(repo['full_name'])?.split('/');
  const [ownerPart, namePart] = parts?.length === 2 ? parts.map(text) : [];
  const fromFullName = ownerPart !== undefined && namePart !== undefined;
  const owner = fromFullName ? ownerPart : text(at(repo, 'owner', 'login'));
  const name = fromFullName ? namePart : text(repo['name']);
  if (owner === undefined || name === undefined) return undefined;
  const isPrivate = repo['private'];
  const defaultBranch = text(repo['default_branch']);
  return {
    owner,
    name,
    fullName: `${owner}/${name}`,
    ...(typeof isPrivate === 'boolean' && { private: isPrivate }),
    ...(defaultBranch !== undefined && { defaultBranch }),
  };
}

export function actorOf(value: unknown): BrokerActor | undefined {
  const login = text(at(value, 'login'));
  if (login === undefined) return undefined;
  const id = integer(at(value, 'id'));
  const type = text(at(value, 'type'));
  return {
    login,
    ...(id !== undefined && { id }),
    ...(type !== undefined && { type }),
    isBot: type === 'Bot' || login.endsWith('[bot]'),
  };
}

/**
 * What the repository's visibility is after the event. `private` comes first: GitHub's own
 * recorded `privatized` payload still says `visibility: 'public'` next to `private: true`.
 */
export function repositoryVisibility(value: unknown): string | undefined {
  const visibility = text(at(value, 'visibility'));
  const isPrivate = at(value, 'private');
  if (isPrivate === true) return visibility === 'internal' ? 'internal' : 'private';
  if (isPrivate === false) return 'public';
  return visibility;
}

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

export function targetOf(kind: TargetKind, key: string | undefined, number?: number): BrokerTarget | undefined {
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
    target: threadNumber === undefined ? undefined : targetOf(kind, `#${threadNumber}`, threadNumber),
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
  const reviewers = [at(pr, 'requested_reviewers'), at(pr, 'requested_teams')].filter(Array.isArray).flat();
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

export function alertDetails(prefix: string, alert: unknown, id: unknown, ...titles: unknown[]): EventDetails {
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
    branch: ref === undefined || ref === sha ? undefined : ref.startsWith('refs/') ? branchFromRef(ref) : ref,
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
  return text(at(payload, 'organization', 'login')) ?? text(at(payload, 'repository', 'owner', 'login'));
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
  const ref = name?.startsWith('refs/') ? name : name !== undefined && prefix !== undefined ? prefix + name : undefined;
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
