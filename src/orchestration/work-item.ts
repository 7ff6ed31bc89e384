/**
 * What orchestration knows of one tracked thing, kept as a `work_item` record per tenant and
 * repository: an issue or PR (state, when it opened, was first reviewed, merged, last pushed; its
 * CI, its train), a default branch (red since when), or a deployment waiting for approval.
 * `observe` is the pure step: previous state + event → next state + what changed, so every rule
 * downstream reads changes, not raw events.
 */
import type { BrokerEvent } from '../core/broker-event.js';
import { formatRef, refOf } from './work-item-ref.js';

export type WorkItemKind = 'issue' | 'pull_request' | 'branch' | 'deployment';

export interface WorkItem {
  /** `owner/repo#N`, `owner/repo@branch`, or `owner/repo!deploy:<key>`. */
  key: string;
  repo: string;
  kind: WorkItemKind;
  number?: number;
  /** open, closed, merged (PRs); for a branch: green or red; for a deployment: waiting or done. */
  state: string;
  title?: string;
  url?: string;
  author?: string;
  openedAt: number;
  lastActivityAt: number;
  firstReviewAt?: number;
  approved?: boolean;
  mergedAt?: number;
  closedAt?: number;
  /** Last push to a PR's branch (its opening counts). */
  lastPushAt?: number;
  /** When something it depends on last merged or closed (the dependency rule compares pushes). */
  dependencyMovedAt?: number;
  branch?: string;
  ci?: 'red' | 'green';
  /** Since when a branch has been red, or a deployment has waited. */
  since?: number;
  train?: string;
  dueOn?: number;
  draft?: boolean;
  /** How many of the items it depends on are still open (kept by the stage from the graph). */
  blockedBy?: number;
  /** True when Reynolds saw it open, so its opening time is real (review waits count from it). */
  sawOpened?: boolean;
  /** Items this PR reverts (`Reverts owner/repo#N` in its body). */
  reverts?: string[];
}

export type Change =
  | 'opened'
  | 'reopened'
  | 'closed'
  | 'merged'
  | 'first_review'
  | 'pushed'
  | 'ci_red'
  | 'ci_green'
  | 'waiting'
  | 'waited'
  | 'edited';

export interface Observation {
  item: WorkItem;
  changes: Change[];
  /** The reviewer whose review this was (review load counts it). */
  reviewer?: string;
}

const RED = new Set(['failure', 'timed_out', 'startup_failure', 'action_required', 'error']);
const GREEN = new Set(['success']);
const CI_EVENTS = new Set(['check_suite', 'workflow_run', 'status']);

/** A completed CI run's verdict, or undefined when the event says nothing about CI. */
export function ciVerdict(event: BrokerEvent): 'red' | 'green' | undefined {
  if (!CI_EVENTS.has(event.kind) || (event.kind !== 'status' && event.action !== 'completed'))
    return undefined;
  if (event.state && RED.has(event.state)) return 'red';
  if (event.state && GREEN.has(event.state)) return 'green';
  return undefined;
}

/** The train an item rides: its milestone's title, else a `train:<name>` label. */
export function trainOf(event: BrokerEvent): { name: string; dueOn?: number } | undefined {
  if (event.milestone)
    return {
      name: event.milestone.title,
      ...(event.milestone.dueOn && { dueOn: Date.parse(event.milestone.dueOn) }),
    };
  const label = event.labels.find((name) => name.toLowerCase().startsWith('train:'));
  return label && label.length > 6 ? { name: label.slice(6).trim() } : undefined;
}

/** The key of the record an event updates: its issue or PR, its default branch, its deployment. */
export function itemKeyOf(event: BrokerEvent): { key: string; kind: WorkItemKind } | undefined {
  const ref = refOf(event);
  if (ref) return { key: formatRef(ref), kind: event.target!.kind as 'issue' | 'pull_request' };
  const repo = event.repo?.fullName.toLowerCase();
  if (!repo) return undefined;
  if (event.kind === 'deployment_review' && event.target)
    return { key: `${repo}!deploy:${event.target.key}`, kind: 'deployment' };
  if (ciVerdict(event) && event.branch && event.branch === event.repo?.defaultBranch)
    return { key: `${repo}@${event.branch}`, kind: 'branch' };
  return undefined;
}

/** The pure step. `previous` is undefined the first time an item is seen. */
export function observe(
  previous: WorkItem | undefined,
  event: BrokerEvent,
  key: string,
  kind: WorkItemKind,
  at: number,
  reverts?: string[],
): Observation {
  const item: WorkItem = previous
    ? { ...previous, lastActivityAt: at }
    : {
        key,
        repo: event.repo?.fullName ?? key.split(/[#@!]/)[0]!,
        kind,
        state: kind === 'branch' ? 'green' : 'open',
        openedAt: at,
        lastActivityAt: at,
        ...(kind === 'pull_request' && { lastPushAt: at }),
      };
  const changes: Change[] = [];
  if (event.target?.number !== undefined) item.number = event.target.number;
  if (event.title && kind !== 'branch') item.title = event.title;
  if (
    event.url &&
    (kind === 'issue' || kind === 'pull_request') &&
    (event.kind === 'issues' || event.kind === 'pull_request')
  )
    item.url = event.url;
  if (event.author) item.author = event.author;
  if (kind === 'pull_request' && event.kind === 'pull_request' && event.branch)
    item.branch = event.branch;
  if (reverts && reverts.length > 0) item.reverts = reverts;
  const train = kind === 'issue' || kind === 'pull_request' ? trainOf(event) : undefined;
  if (train) {
    item.train = train.name;
    if (train.dueOn !== undefined && Number.isFinite(train.dueOn)) item.dueOn = train.dueOn;
  } else if (
    event.action === 'demilestoned' ||
    (event.action === 'unlabeled' && event.changedLabel?.toLowerCase().startsWith('train:'))
  ) {
    delete item.train;
    delete item.dueOn;
  }
  const verdict = ciVerdict(event);
  switch (kind) {
    case 'issue':
    case 'pull_request':
      threadChanges(item, previous, event, at, changes);
      break;
    case 'branch':
      if (verdict && verdict !== item.state) {
        item.state = verdict;
        item.ci = verdict;
        if (verdict === 'red') item.since = at;
        changes.push(verdict === 'red' ? 'ci_red' : 'ci_green');
      }
      break;
    case 'deployment':
      if (event.action === 'requested' && item.state !== 'waiting') {
        item.state = 'waiting';
        item.since = at;
        changes.push('waiting');
      } else if (
        (event.action === 'approved' || event.action === 'rejected') &&
        item.state === 'waiting'
      ) {
        item.state = 'done';
        changes.push('waited');
      }
      break;
  }
  return {
    item,
    changes,
    ...(changes.includes('first_review') && event.actor && { reviewer: event.actor.login }),
  };
}

function threadChanges(
  item: WorkItem,
  previous: WorkItem | undefined,
  event: BrokerEvent,
  at: number,
  changes: Change[],
): void {
  const { action } = event;
  if (!previous && action === 'opened') {
    changes.push('opened');
    item.sawOpened = true;
  }
  if (
    event.kind === 'pull_request_review' &&
    action === 'submitted' &&
    event.actor?.login !== item.author &&
    !event.actor?.isBot
  ) {
    if (item.firstReviewAt === undefined) {
      item.firstReviewAt = at;
      changes.push('first_review');
    }
    if (event.state === 'approved') item.approved = true;
    if (event.state === 'changes_requested') item.approved = false;
  }
  if (event.kind === 'pull_request' && action === 'synchronize') {
    item.lastPushAt = at;
    item.approved = false;
    changes.push('pushed');
  }
  if (
    event.kind === 'pull_request' &&
    (action === 'converted_to_draft' || action === 'ready_for_review')
  )
    item.draft = action === 'converted_to_draft';
  if (action === 'edited') changes.push('edited');
  if (action === 'closed' && item.state === 'open') {
    const merged = event.state === 'merged';
    item.state = merged ? 'merged' : 'closed';
    item.closedAt = at;
    if (merged) item.mergedAt = at;
    changes.push(merged ? 'merged' : 'closed');
  }
  if (action === 'reopened' && item.state !== 'open') {
    item.state = 'open';
    delete item.closedAt;
    delete item.mergedAt;
    changes.push('reopened');
  }
}

/** A CI verdict on a PR's branch (found by the stage): red or green changes. */
export function observeCi(item: WorkItem, verdict: 'red' | 'green', at: number): Observation {
  if (item.ci === verdict) return { item, changes: [] };
  return {
    item: { ...item, ci: verdict, lastActivityAt: at },
    changes: [verdict === 'red' ? 'ci_red' : 'ci_green'],
  };
}
