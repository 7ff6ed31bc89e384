/**
 * Burst collapse: many events of one family on one repo and branch (or target) in a short window
 * become ONE card, edited in place, instead of one card each: "12 pushes to main by 3 people in
 * the last minute". The first event posts normally and opens the window; the following ones within
 * BURST_WINDOW_SECONDS of the last one update that card.
 *
 * Families that collapse: pushes, commit statuses and check runs/suites, workflow runs/jobs, and
 * label churn on one issue or PR. P0 and P1 never collapse (a security alert or a failing default
 * branch deserves its own card). The window is a `burst` record (per conversation, repo, family,
 * branch/target) with a TTL, written with conditional writes, so it survives restarts and replicas
 * share it.
 */
import type { Clock } from '../../core/clock.js';
import type { BrokerEvent } from '../../core/broker-event.js';
import { ConflictError, type Store } from '../../store/store.js';
import { type Classification, isAtLeast } from '../../core/classification.js';

/**
 * `folded`: not a burst of one kind but the alerts folded while the outbox was over budget.
 * `storm`: one actor repeating itself, or a chain the loop guard dampened (noise-control.ts).
 */
export type BurstFamily = 'push' | 'ci' | 'workflow' | 'labels' | 'folded' | 'storm';

export interface BurstKey {
  family: BurstFamily;
  repo: string;
  /** The branch (or commit, for statuses without one) or the issue/PR the burst is about. */
  scope: string;
}

export interface BurstItem {
  deliveryKey: string;
  at: number;
  actor?: string;
  title?: string;
  sha?: string;
  url?: string;
  state?: string;
  /** What the event did, in a word a storm card can count ("comment", "label change"...). */
  what?: string;
}

export interface BurstWindow extends BurstKey {
  /** The alert whose card the burst edits (outbox id). */
  alertId: string;
  firstAt: number;
  lastAt: number;
  count: number;
  actors: string[];
  /** The latest events, newest last. */
  items: BurstItem[];
}

export type BurstDecision =
  /** Post normally: it opened this window. */
  | { kind: 'post'; window: BurstWindow }
  /** Part of an open burst: edit the burst's card instead of posting. */
  | { kind: 'collapse'; window: BurstWindow }
  /** Already counted (the pipeline ran this delivery before): nothing to do. */
  | { kind: 'seen' };

const CI_KINDS = new Set(['status', 'check_run', 'check_suite']);
const WORKFLOW_KINDS = new Set(['workflow_run', 'workflow_job']);
const LABEL_ACTIONS = new Set(['labeled', 'unlabeled']);
/** Items kept per window: enough for the card's list and to recognise re-runs. */
const ITEMS_KEPT = 50;
/** Writers racing on one window each win in turn; this many losses in a row means something is wrong. */
const MAX_CONFLICTS = 25;

/** Which burst an event belongs to; undefined for events that always get their own card. */
export function burstKeyOf(
  event: BrokerEvent,
  classification: Classification,
): BurstKey | undefined {
  if (isAtLeast(classification.priority, 'P1')) return undefined;
  const repo = event.repo?.fullName.toLowerCase();
  if (repo === undefined) return undefined;
  const onBranch = event.branch ?? event.sha;
  if (event.kind === 'push' && onBranch) return { family: 'push', repo, scope: onBranch };
  if (CI_KINDS.has(event.kind) && onBranch) return { family: 'ci', repo, scope: onBranch };
  if (WORKFLOW_KINDS.has(event.kind) && onBranch)
    return { family: 'workflow', repo, scope: onBranch };
  if (
    (event.kind === 'issues' || event.kind === 'pull_request') &&
    LABEL_ACTIONS.has(event.action ?? '') &&
    event.target
  ) {
    return { family: 'labels', repo, scope: event.target.key };
  }
  return undefined;
}

export class BurstWindows {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  /**
   * Counts the event into its burst in this conversation. `alertId` is the alert the event would
   * post; it becomes the burst's card when the event opens the window.
   */
  async absorb(
    tenantId: string,
    conversationId: string,
    key: BurstKey,
    item: BurstItem,
    alertId: string,
  ): Promise<BurstDecision> {
    const id = `${key.repo}|${key.family}|${key.scope}`;
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt += 1) {
      const now = this.clock.now();
      const open = await this.store.getRecord<BurstWindow>('burst', conversationId, id);
      try {
        if (!open) {
          const window: BurstWindow = {
            ...key,
            alertId,
            firstAt: now,
            lastAt: now,
            count: 1,
            actors: item.actor ? [item.actor] : [],
            items: [item],
          };
          await this.store.putRecord(
            {
              kind: 'burst',
              tenantId,
              partition: conversationId,
              id,
              data: window,
              expiresAt: now + this.windowMs,
            },
            { ifMatch: null },
          );
          return { kind: 'post', window };
        }
        if (open.data.items.some((seen) => seen.deliveryKey === item.deliveryKey)) {
          // A re-run of the event that opened the window still has to (idempotently) queue its card.
          return open.data.alertId === alertId
            ? { kind: 'post', window: open.data }
            : { kind: 'seen' };
        }
        const actors =
          item.actor && !open.data.actors.includes(item.actor)
            ? [...open.data.actors, item.actor]
            : open.data.actors;
        const window: BurstWindow = {
          ...open.data,
          lastAt: now,
          count: open.data.count + 1,
          actors,
          items: [...open.data.items, item].slice(-ITEMS_KEPT),
        };
        await this.store.putRecord(
          {
            kind: 'burst',
            tenantId,
            partition: conversationId,
            id,
            data: window,
            expiresAt: now + this.windowMs,
          },
          { ifMatch: open.etag },
        );
        return { kind: 'collapse', window };
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    throw new Error(
      `burst window ${id} in ${conversationId}: ${MAX_CONFLICTS} concurrent writers won in a row`,
    );
  }
}
