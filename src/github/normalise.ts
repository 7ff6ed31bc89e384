/**
 * Turns one GitHub delivery (event name + parsed JSON) into a BrokerEvent.
 *
 * Every payload gets the fields all events share (repository, organization, sender,
 * installation, action); a table keyed by event name adds what only that event carries. The
 * payload is never trusted: a missing or mistyped field becomes an absent BrokerEvent field, and
 * an event name outside the table becomes a `known: false` event, never an exception.
 */
import type { WebhookEventName } from '@octokit/webhooks-types';
import { BODY_LIMIT, type BrokerEvent } from '../core/broker-event.js';
import {
  type Json,
  actorOf,
  at,
  branchFromRef,
  capBody,
  capText,
  changedAt,
  firstLine,
  firstOf,
  idKey,
  integer,
  isoFromMs,
  isoTimestamp,
  record,
  repositoryOf,
  repositoryVisibility,
  text,
} from './payload-fields.js';
import {
  type EventDetails,
  alertDetails,
  changedPathsOf,
  commentDetails,
  createdOrDeletedRef,
  deploymentDetails,
  installationDetails,
  issueDetails,
  listOf,
  packageDetails,
  payloadOrg,
  principalOf,
  principalsOf,
  pullRequestDetails,
  pullRequestOrg,
  releaseState,
  repositoryTarget,
  runDetails,
  secretScanningDetails,
  severityOf,
  subjectDetails,
  targetOf,
  threadDetails,
  userDetails,
} from './payload-subjects.js';
import { issueLinkOf, milestoneOf } from './payload-links.js';

export interface NormaliseInput {
  tenantId: string;
  deliveryId: string;
  /** `X-GitHub-Event`. */
  event: string;
  payload: Record<string, unknown>;
  /** Milliseconds since the epoch. */
  receivedAt: number;
}

type Extractor = (payload: Json, action: string | undefined) => EventDetails;

/** GitHub titles stop at 256 characters; anything far longer is not a title worth keeping whole. */
export const TITLE_LIMIT = 1_024;

/** Stands in for an unusable receivedAt, so a caller's bad clock cannot lose a delivery. */
const EPOCH_ISO = new Date(0).toISOString();

export function normalise(input: NormaliseInput): BrokerEvent {
  const payload = record(input.payload) ?? {};
  const action = text(at(payload, 'action'));
  const extract = EXTRACTORS.get(input.event);
  const details = extract?.(payload, action) ?? {};
  const repo = repositoryOf(at(payload, 'repository'));
  const receivedAt = isoFromMs(input.receivedAt) ?? EPOCH_ISO;
  return withoutUndefined<BrokerEvent>({
    tenantId: input.tenantId,
    deliveryId: input.deliveryId,
    kind: input.event,
    action,
    known: extract !== undefined,
    repo,
    org:
      text(at(payload, 'organization', 'login')) ??
      repo?.owner ??
      text(at(payload, 'installation', 'account', 'login')),
    installationId: integer(at(payload, 'installation', 'id')),
    target: details.target,
    actor: actorOf(at(payload, 'sender')),
    performedViaAppId: details.performedViaAppId,
    url: details.url ?? text(at(payload, 'repository', 'html_url')),
    title: capText(details.title, TITLE_LIMIT),
    body: capBody(details.body, BODY_LIMIT),
    labels: details.labels ?? [],
    changedLabel: text(at(payload, 'label', 'name')),
    branch: details.branch,
    sha: details.sha,
    state: details.state,
    author: details.author,
    assignees: details.assignees,
    requestedReviewers: details.requestedReviewers,
    changedReviewer: details.changedReviewer,
    baseBranch: details.baseBranch,
    severity: details.severity,
    environment: details.environment,
    changedPaths: details.changedPaths,
    milestone: milestoneOf(payload),
    issueLink: issueLinkOf(input.event, action, payload),
    occurredAt: details.occurredAt ?? receivedAt,
    receivedAt,
  });
}

/** Absent means absent: no `key: undefined` for strict deep-equality or a JSON store to trip on. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/**
 * One entry per event name in @octokit/webhooks-types, so leaving one out is a compile error.
 * Keys use ids rather than names wherever a name can be edited (labels, teams), so that a rename
 * does not start a new thread.
 */
const EXTRACTOR_TABLE: Record<WebhookEventName, Extractor> = {
  branch_protection_configuration: (p) => ({ target: repositoryTarget(p) }),
  branch_protection_rule: (p) =>
    subjectDetails(at(p, 'rule'), 'repository', 'branch_protection_rule'),
  check_run: (p) => {
    const run = at(p, 'check_run');
    return {
      ...runDetails('check', 'check_run', run),
      body: text(at(run, 'output', 'summary')),
      branch: text(at(run, 'check_suite', 'head_branch')),
    };
  },
  check_suite: (p) => ({
    ...runDetails('check', 'check_suite', at(p, 'check_suite')),
    title: text(at(p, 'check_suite', 'app', 'name')),
  }),
  code_scanning_alert: (p) => {
    const alert = at(p, 'alert');
    return {
      ...alertDetails(
        'code_scanning_alert',
        alert,
        at(alert, 'number'),
        at(alert, 'rule', 'description'),
        at(alert, 'rule', 'id'),
      ),
      branch: branchFromRef(at(p, 'ref')),
      sha: text(at(p, 'commit_oid')),
      severity: severityOf(
        at(alert, 'rule', 'security_severity_level'),
        at(alert, 'rule', 'severity'),
      ),
    };
  },
  commit_comment: (p) => {
    const sha = text(at(p, 'comment', 'commit_id'));
    return commentDetails({ target: targetOf('commit', sha), sha }, at(p, 'comment'));
  },
  create: (p) => createdOrDeletedRef(p),
  custom_property: (p) =>
    subjectDetails(
      at(p, 'definition'),
      'organization',
      'custom_property',
      'property_name',
      'property_name',
    ),
  custom_property_values: (p) => ({ target: repositoryTarget(p) }),
  delete: (p) => createdOrDeletedRef(p, 'deleted'),
  dependabot_alert: (p) => {
    const alert = at(p, 'alert');
    return {
      ...alertDetails(
        'dependabot_alert',
        alert,
        at(alert, 'number'),
        at(alert, 'security_advisory', 'summary'),
      ),
      severity: severityOf(
        at(alert, 'security_advisory', 'severity'),
        at(alert, 'security_vulnerability', 'severity'),
      ),
    };
  },
  deploy_key: (p) => subjectDetails(at(p, 'key'), 'repository', 'deploy_key', 'id', 'title'),
  deployment: (p) => ({
    ...deploymentDetails(at(p, 'deployment')),
    // A deployment has no page of its own; the run doing the deploying is what a person opens.
    url: text(at(p, 'workflow_run', 'html_url')),
  }),
  deployment_protection_rule: (p) => ({
    ...deploymentDetails(at(p, 'deployment')),
    title: text(at(p, 'environment')) ?? text(at(p, 'deployment', 'environment')),
    environment: text(at(p, 'environment')) ?? text(at(p, 'deployment', 'environment')),
    // The deployment's own timestamps predate the rule being asked.
    occurredAt: undefined,
  }),
  deployment_review: (p) => ({
    ...runDetails('workflow', 'workflow_run', at(p, 'workflow_run')),
    url: text(at(p, 'workflow_job_run', 'html_url')) ?? text(at(p, 'workflow_run', 'html_url')),
    title: text(at(p, 'environment')),
    environment: text(at(p, 'environment')),
    // The approvers the deployment waits for, as `{ type, reviewer }` pairs.
    requestedReviewers: principalsOf(
      listOf(at(p, 'reviewers')).map((entry) => at(entry, 'reviewer')),
      payloadOrg(p),
    ),
    state: text(at(p, 'workflow_job_run', 'status')),
    occurredAt: changedAt(at(p, 'workflow_job_run')) ?? isoTimestamp(at(p, 'since')),
  }),
  deployment_status: (p) => {
    const status = at(p, 'deployment_status');
    const links = [
      at(status, 'log_url'),
      at(status, 'target_url'),
      at(p, 'workflow_run', 'html_url'),
      at(status, 'environment_url'),
    ];
    return {
      ...deploymentDetails(at(p, 'deployment')),
      url: links.map(text).find((link) => link !== undefined),
      title: text(at(status, 'environment')) ?? text(at(p, 'deployment', 'environment')),
      environment: text(at(status, 'environment')) ?? text(at(p, 'deployment', 'environment')),
      body: text(at(status, 'description')),
      state: text(at(status, 'state')),
      occurredAt: changedAt(status),
    };
  },
  discussion: (p, action) => threadDetails(at(p, 'discussion'), 'discussion', action),
  discussion_comment: (p) =>
    commentDetails(threadDetails(at(p, 'discussion'), 'discussion', undefined), at(p, 'comment')),
  fork: (p) => ({
    target: repositoryTarget(p),
    url: text(at(p, 'forkee', 'html_url')),
    title: text(at(p, 'forkee', 'full_name')),
    occurredAt: isoTimestamp(at(p, 'forkee', 'created_at')),
  }),
  github_app_authorization: (p) => ({
    target: targetOf('app', idKey('github_app_authorization', at(p, 'sender', 'login'))),
  }),
  gollum: (p) => {
    const page = firstOf(at(p, 'pages'));
    return {
      ...subjectDetails(page, 'page', 'wiki', 'page_name', 'title'),
      sha: text(at(page, 'sha')),
      state: text(at(page, 'action')),
    };
  },
  installation: (p) => ({
    ...installationDetails(p),
    occurredAt: changedAt(at(p, 'installation')),
  }),
  installation_repositories: installationDetails,
  installation_target: installationDetails,
  issue_comment: (p) => commentDetails(issueDetails(at(p, 'issue'), undefined), at(p, 'comment')),
  issues: (p, action) => issueDetails(at(p, 'issue'), action),
  label: (p) => ({
    target: targetOf('label', idKey('label', at(p, 'label', 'id'))),
    title: text(at(p, 'label', 'name')),
  }),
  marketplace_purchase: (p) => ({
    target: targetOf(
      'app',
      idKey('marketplace_purchase', at(p, 'marketplace_purchase', 'account', 'id')),
    ),
    title: text(at(p, 'marketplace_purchase', 'plan', 'name')),
  }),
  member: (p) => userDetails(at(p, 'member')),
  membership: (p) => subjectDetails(at(p, 'team'), 'team', 'team'),
  merge_group: (p) => {
    const group = at(p, 'merge_group');
    return {
      target: targetOf('ref', text(at(group, 'head_ref'))),
      title: firstLine(at(group, 'head_commit', 'message')),
      // The queue's own branch is throwaway; the branch being merged into is the one people know.
      branch: branchFromRef(at(group, 'base_ref')),
      sha: text(at(group, 'head_sha')),
      state: text(at(p, 'reason')),
      occurredAt: isoTimestamp(at(group, 'head_commit', 'timestamp')),
    };
  },
  meta: (p) => ({ target: targetOf('other', idKey('hook', at(p, 'hook_id'))) }),
  milestone: (p) => subjectDetails(at(p, 'milestone'), 'milestone', 'milestone', 'number', 'title'),
  org_block: (p) => userDetails(at(p, 'blocked_user')),
  organization: (p) => {
    const member = at(p, 'membership', 'user') ?? at(p, 'invitation');
    const login = text(at(p, 'organization', 'login'));
    if (text(at(member, 'login')) === undefined)
      return { target: targetOf('organization', login), title: login };
    return { ...userDetails(member), state: text(at(p, 'membership', 'state')) };
  },
  package: (p) => packageDetails(at(p, 'package')),
  page_build: (p) => ({
    target: targetOf('page', 'pages'),
    sha: text(at(p, 'build', 'commit')),
    state: text(at(p, 'build', 'status')),
    occurredAt: changedAt(at(p, 'build')),
  }),
  ping: (p) => ({ target: targetOf('other', idKey('hook', at(p, 'hook_id'))) }),
  project: (p) => subjectDetails(at(p, 'project'), 'project', 'project'),
  project_card: (p) => ({
    ...subjectDetails(at(p, 'project_card'), 'project', 'project_card'),
    title: firstLine(at(p, 'project_card', 'note')),
    body: text(at(p, 'project_card', 'note')),
  }),
  project_column: (p) => subjectDetails(at(p, 'project_column'), 'project', 'project_column'),
  projects_v2_item: (p) => subjectDetails(at(p, 'projects_v2_item'), 'project', 'projects_v2_item'),
  public: (p) => ({
    target: repositoryTarget(p),
    state: repositoryVisibility(at(p, 'repository')) ?? 'public',
    occurredAt: isoTimestamp(at(p, 'repository', 'updated_at')),
  }),
  pull_request: (p, action) => {
    const pr = at(p, 'pull_request');
    const reviewer =
      principalOf(at(p, 'requested_reviewer')) ??
      principalOf(at(p, 'requested_team'), pullRequestOrg(pr));
    return { ...pullRequestDetails(pr, action, at(p, 'number')), changedReviewer: reviewer };
  },
  pull_request_review: (p) => {
    const review = at(p, 'review');
    const pr = pullRequestDetails(at(p, 'pull_request'));
    return {
      ...pr,
      url: text(at(review, 'html_url')) ?? pr.url,
      body: text(at(review, 'body')),
      sha: text(at(review, 'commit_id')) ?? pr.sha,
      state: text(at(review, 'state')),
      occurredAt: changedAt(review) ?? pr.occurredAt,
    };
  },
  pull_request_review_comment: (p) =>
    commentDetails(pullRequestDetails(at(p, 'pull_request')), at(p, 'comment')),
  pull_request_review_thread: (p, action) => {
    const pr = pullRequestDetails(at(p, 'pull_request'));
    return {
      ...pr,
      url: text(at(firstOf(at(p, 'thread', 'comments')), 'html_url')) ?? pr.url,
      state: action,
      // Nothing in the payload dates the resolving; the PR's updated_at is about the PR.
      occurredAt: undefined,
    };
  },
  push: (p) => ({
    target: targetOf('ref', text(at(p, 'ref'))),
    url: text(at(p, 'compare')),
    title: firstLine(at(p, 'head_commit', 'message')),
    branch: branchFromRef(at(p, 'ref')),
    sha: text(at(p, 'after')),
    state: at(p, 'deleted') === true ? 'deleted' : undefined,
    changedPaths: changedPathsOf(at(p, 'commits')),
    // pushed_at (unix seconds) dates the push; head_commit.timestamp only dates the commit.
    occurredAt:
      isoTimestamp(at(p, 'repository', 'pushed_at')) ??
      isoTimestamp(at(p, 'head_commit', 'timestamp')),
  }),
  registry_package: (p) => packageDetails(at(p, 'registry_package')),
  release: (p, action) => {
    const release = at(p, 'release');
    const tag = text(at(release, 'tag_name'));
    return {
      target: targetOf('release', tag),
      url: text(at(release, 'html_url')),
      title: text(at(release, 'name')) ?? tag,
      body: text(at(release, 'body')),
      author: text(at(release, 'author', 'login')),
      state: releaseState(release, action),
      occurredAt: changedAt(release),
    };
  },
  repository: (p) => ({
    target: repositoryTarget(p),
    title: text(at(p, 'repository', 'full_name')),
    state: repositoryVisibility(at(p, 'repository')),
    occurredAt: isoTimestamp(at(p, 'repository', 'updated_at')),
  }),
  repository_dispatch: (p) => ({ target: repositoryTarget(p), branch: text(at(p, 'branch')) }),
  repository_import: (p) => ({ target: repositoryTarget(p), state: text(at(p, 'status')) }),
  repository_vulnerability_alert: (p) => {
    const alert = at(p, 'alert');
    // Older payloads carry no alert number; the id is always there.
    const titles = [at(alert, 'external_identifier'), at(alert, 'ghsa_id')];
    const details = alertDetails(
      'repository_vulnerability_alert',
      alert,
      at(alert, 'id'),
      ...titles,
    );
    return { ...details, severity: severityOf(at(alert, 'severity')) };
  },
  secret_scanning_alert: secretScanningDetails,
  secret_scanning_alert_location: secretScanningDetails,
  security_advisory: (p) => {
    const advisory = at(p, 'security_advisory');
    return {
      ...alertDetails(
        'security_advisory',
        advisory,
        at(advisory, 'ghsa_id'),
        at(advisory, 'summary'),
      ),
      body: text(at(advisory, 'description')),
      state: text(at(advisory, 'withdrawn_at')) ? 'withdrawn' : undefined,
      severity: severityOf(at(advisory, 'severity')),
    };
  },
  sponsorship: (p, action) => ({
    target: targetOf('other', idKey('sponsorship', at(p, 'sponsorship', 'node_id'))),
    title: text(at(p, 'sponsorship', 'tier', 'name')),
    // The payload dates only a creation; effective_date of a pending change lies in the future.
    occurredAt: action === 'created' ? isoTimestamp(at(p, 'sponsorship', 'created_at')) : undefined,
  }),
  star: (p) => ({ target: repositoryTarget(p), occurredAt: isoTimestamp(at(p, 'starred_at')) }),
  status: (p) => {
    const branches = at(p, 'branches');
    const sha = text(at(p, 'sha'));
    return {
      target: targetOf('commit', sha),
      url: text(at(p, 'target_url')) ?? text(at(p, 'commit', 'html_url')),
      title: text(at(p, 'context')),
      body: text(at(p, 'description')),
      // `branches` lists every branch containing the commit; only a lone one says which was built.
      branch:
        Array.isArray(branches) && branches.length === 1
          ? text(at(branches[0], 'name'))
          : undefined,
      sha,
      state: text(at(p, 'state')),
      occurredAt: changedAt(p),
    };
  },
  team: (p) => subjectDetails(at(p, 'team'), 'team', 'team'),
  team_add: (p) => subjectDetails(at(p, 'team'), 'team', 'team'),
  watch: (p) => ({ target: repositoryTarget(p) }),
  workflow_dispatch: (p) => ({
    target: targetOf('workflow', idKey('workflow', at(p, 'workflow'))),
    title: text(at(p, 'workflow')),
    branch: branchFromRef(at(p, 'ref')),
  }),
  workflow_job: (p) => runDetails('workflow', 'workflow_job', at(p, 'workflow_job')),
  workflow_run: (p) => runDetails('workflow', 'workflow_run', at(p, 'workflow_run')),
};

/**
 * Events newer than @octokit/webhooks-types (shapes from @octokit/openapi-webhooks-types): the
 * thread is the issue that waits (the parent of a sub-issue, the blocked issue); payload-links.ts
 * reads the link itself.
 */
const NEWER_EXTRACTORS: Record<string, Extractor> = {
  sub_issues: (p) => issueDetails(at(p, 'parent_issue'), undefined),
  issue_dependencies: (p) => issueDetails(at(p, 'blocked_issue'), undefined),
};

/** A Map, so that an event named `constructor` or `__proto__` finds nothing on Object.prototype. */
const EXTRACTORS: ReadonlyMap<string, Extractor> = new Map([
  ...Object.entries(EXTRACTOR_TABLE),
  ...Object.entries(NEWER_EXTRACTORS),
]);
