/**
 * The "open work" projection the daily digest reads: what Reynolds has seen of open pull requests
 * (and whose review they wait for), open issues (and when they last moved), and default branches
 * whose checks fail. Kept from BrokerEvents by the pipeline, never fetched from GitHub's API: the
 * digest says what is waiting as far as the webhooks told us. Records are `digest` kind in a
 * per-tenant partition, with a TTL renewed on activity so forgotten things age out.
 */
import type { Clock } from '../../core/clock.js';
import type { BrokerEvent } from '../../core/broker-event.js';
import type { Store } from '../../store/store.js';

/** What every open PR or issue the digest tracks has. */
interface OpenTarget {
  repo: string;
  number: number;
  title?: string;
  url?: string;
  author?: string;
  assignees: string[];
  lastActivityAt: number;
}

export interface OpenPullRequest extends OpenTarget {
  type: 'pr';
  requestedReviewers: string[];
  /** When the oldest pending review request was made (as far as we saw). */
  reviewRequestedAt?: number;
}

export interface OpenIssue extends OpenTarget {
  type: 'issue';
}

export interface FailingBranch {
  type: 'failing';
  repo: string;
  branch: string;
  /** The check or workflow that failed last. */
  what: string;
  url?: string;
  since: number;
}

export type OpenWorkItem = OpenPullRequest | OpenIssue | FailingBranch;

const OPEN_TTL_MS = 90 * 24 * 3600_000;
const FAILING_TTL_MS = 30 * 24 * 3600_000;
const CI_KINDS = new Set(['check_run', 'check_suite', 'workflow_run', 'status']);
const FAILED = new Set([
  'failure',
  'timed_out',
  'cancelled',
  'action_required',
  'error',
  'startup_failure',
]);

const partitionOf = (tenantId: string) => `work|${tenantId}`;

export class OpenWork {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Folds one event into the projection; events that say nothing about open work are ignored. */
  async observe(event: BrokerEvent): Promise<void> {
    const repo = event.repo?.fullName;
    if (!repo) return;
    const number = event.target?.number;
    const isPr = event.target?.kind === 'pull_request';
    if (number !== undefined && (isPr || event.target?.kind === 'issue')) {
      await this.observeThread(event, repo, number, isPr);
      return;
    }
    if (
      CI_KINDS.has(event.kind) &&
      event.branch &&
      event.branch === event.repo?.defaultBranch &&
      event.state
    ) {
      const id = `failing|${repo.toLowerCase()}|${event.branch}`;
      if (FAILED.has(event.state)) {
        const existing = await this.store.getRecord<FailingBranch>(
          'digest',
          partitionOf(event.tenantId),
          id,
        );
        const now = this.clock.now();
        const item: FailingBranch = {
          type: 'failing',
          repo,
          branch: event.branch,
          what: event.title ?? event.kind,
          ...(event.url && { url: event.url }),
          since: existing?.data.since ?? now,
        };
        await this.put(event.tenantId, id, item, FAILING_TTL_MS);
      } else if (event.state === 'success') {
        await this.store.deleteRecord('digest', partitionOf(event.tenantId), id);
      }
    }
  }

  async list(tenantId: string): Promise<OpenWorkItem[]> {
    return (
      await this.store.queryRecords<OpenWorkItem>({
        kind: 'digest',
        tenantId,
        partition: partitionOf(tenantId),
        limit: 1000,
      })
    ).map((r) => r.data);
  }

  private async observeThread(
    event: BrokerEvent,
    repo: string,
    number: number,
    isPr: boolean,
  ): Promise<void> {
    const id = `${isPr ? 'pr' : 'issue'}|${repo.toLowerCase()}#${number}`;
    const partition = partitionOf(event.tenantId);
    if (event.action === 'closed' || event.state === 'closed' || event.state === 'merged') {
      await this.store.deleteRecord('digest', partition, id);
      return;
    }
    const existing = (await this.store.getRecord<OpenWorkItem>('digest', partition, id))?.data as
      OpenPullRequest | OpenIssue | undefined;
    // Only what was opened (or reopened) while we watched, or already known, is tracked.
    if (
      !existing &&
      event.action !== 'opened' &&
      event.action !== 'reopened' &&
      event.action !== 'review_requested' &&
      event.action !== 'ready_for_review'
    )
      return;
    const now = this.clock.now();
    const common = {
      repo,
      number,
      title: event.title ?? existing?.title,
      url:
        existing?.url ??
        (event.kind === 'issues' || event.kind === 'pull_request' ? event.url : undefined),
      author: event.author ?? existing?.author,
      assignees: event.assignees ?? existing?.assignees ?? [],
      lastActivityAt: now,
    };
    if (!isPr) {
      await this.put(
        event.tenantId,
        id,
        { type: 'issue', ...common } satisfies OpenIssue,
        OPEN_TTL_MS,
      );
      return;
    }
    const before = existing?.type === 'pr' ? existing : undefined;
    const requestedReviewers =
      event.requestedReviewers ??
      (event.kind === 'pull_request' ? [] : (before?.requestedReviewers ?? []));
    // The wait starts with the first request and ends when nobody is asked any more.
    const reviewRequestedAt =
      requestedReviewers.length === 0 ? undefined : (before?.reviewRequestedAt ?? now);
    await this.put(
      event.tenantId,
      id,
      {
        type: 'pr',
        ...common,
        requestedReviewers,
        ...(reviewRequestedAt !== undefined && { reviewRequestedAt }),
      } satisfies OpenPullRequest,
      OPEN_TTL_MS,
    );
  }

  private async put(
    tenantId: string,
    id: string,
    data: OpenWorkItem,
    ttlMs: number,
  ): Promise<void> {
    await this.store.putRecord({
      kind: 'digest',
      tenantId,
      partition: partitionOf(tenantId),
      id,
      data,
      expiresAt: this.clock.now() + ttlMs,
    });
  }
}
