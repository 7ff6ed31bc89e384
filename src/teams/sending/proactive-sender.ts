/**
 * Posts queued alerts to Teams proactively (`continueConversationAsync`), threaded per PR/issue in
 * channels, inside Teams' rate limits, through the write guard (a broken chain posts nothing).
 *
 * An entry leaves the outbox only when the connector accepted the post, or when it can never be
 * posted (the conversation is gone, the bot was removed), which is logged and counted, never
 * silent. 429, 412, 502, 503 and 504 (and network errors) are retried with jittered exponential
 * backoff that honours Retry-After; the alert is late, not lost.
 */
import {
  CardFactory,
  MessageFactory,
  type CloudAdapterBase,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import { PollingLoop } from '../../broker/polling-loop.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../log.js';
import type { WriteGuard } from '../../loops/write-guard.js';
import type { AlertOutbox } from '../../routing/alerts/alert-outbox.js';
import type { OutboxEntry } from '../../routing/alerts/outbox-entry.js';
import type { PostedAlert, PostedAlerts } from '../../routing/alerts/posted-alerts.js';
import type { StoredRecord } from '../../store/store.js';
import { ConnectorBackoff } from './connector-backoff.js';
import type { ConversationBook } from './conversation-book.js';
import type { TeamsRateLimits } from './teams-rate-limits.js';
import type { ThreadBook } from './thread-book.js';

export interface SenderObserver {
  onSent?(entry: OutboxEntry, ms: number): void;
  onRetry?(entry: OutboxEntry, status: number | undefined, delayMs: number): void;
  onDropped?(entry: OutboxEntry, reason: string): void;
}

export interface ProactiveSenderOptions {
  adapter: CloudAdapterBase;
  botAppId: string;
  tenantId: string;
  outbox: AlertOutbox;
  conversations: ConversationBook;
  threads: ThreadBook;
  /** Where the activity id of each posted card is kept, so updates can edit it in place. */
  posted?: PostedAlerts;
  guard: WriteGuard;
  limits: TeamsRateLimits;
  clock: Clock;
  logger: Logger;
  owner: string;
  observer?: SenderObserver;
  /** Idle poll; `wake()` starts a round at once when something was queued. */
  pollMs?: number;
  /** Posts in flight at once (different conversations). */
  concurrency?: number;
  random?: () => number;
}

const RETRYABLE = new Set([408, 412, 429, 500, 502, 503, 504]);
const LEASE_MS = 60_000;
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 5 * 60_000;

export class ProactiveSender {
  private readonly loop: PollingLoop;
  private readonly connector: ConnectorBackoff;

  constructor(private readonly o: ProactiveSenderOptions) {
    this.connector = new ConnectorBackoff(o.clock, o.random);
    this.loop = new PollingLoop(
      () => this.sendDue(),
      o.pollMs ?? 200,
      (error) =>
        o.logger.warn(
          { err: error },
          'proactive sender: could not read the outbox; will try again',
        ),
    );
  }

  start(): void {
    this.loop.start();
  }

  /** Starts a round at once: the routing stage calls it after queueing an alert. */
  wake(): void {
    this.loop.wake();
  }

  async stop(graceMs: number): Promise<void> {
    await this.loop.stop(graceMs);
  }

  /** One round: claim due entries and post what the rate limits allow. Returns how many were posted. */
  async sendDue(): Promise<number> {
    // Our own tenant budget is spent: reading and rewriting the outbox now would only burn CPU.
    if (!this.o.limits.tenantHasRoom(this.o.tenantId)) return 0;
    if (this.connector.isPaused()) return 0;
    const due = await this.o.outbox.due(this.o.tenantId, this.o.concurrency ?? 16);
    // One post at a time per conversation keeps a thread's cards in order.
    const perConversation = new Map<string, StoredRecord<OutboxEntry>>();
    for (const record of due)
      if (!perConversation.has(record.data.conversationId))
        perConversation.set(record.data.conversationId, record);
    const results = await Promise.all(
      [...perConversation.values()].map((record) => this.sendOne(record)),
    );
    return results.filter(Boolean).length;
  }

  private async sendOne(record: StoredRecord<OutboxEntry>): Promise<boolean> {
    const { outbox, limits, clock } = this.o;
    const entry = record.data;
    // Our own limit, not a failure: leave the entry as it is (no write), a later round takes it.
    if (!limits.tryTake(entry.tenantId, entry.conversationId)) return false;
    const claimed = await outbox.claim(record, this.o.owner, LEASE_MS);
    if (!claimed) return false; // another replica is on it
    const started = clock.now();
    try {
      const conversation = await this.o.conversations.find(entry.tenantId, entry.conversationId);
      if (!conversation) {
        await this.drop(claimed, 'Reynolds is no longer installed in that conversation');
        return false;
      }
      let editing: PostedAlert | undefined;
      if (entry.updateOf) {
        // Looked up before the guard: the guard records an act as done, and this one is not yet.
        editing = await this.o.posted?.find(entry.updateOf);
        if (!editing && (await outbox.isQueued(entry.tenantId, entry.updateOf))) {
          await outbox.postpone(
            claimed,
            clock.now() + RETRY_BASE_MS,
            'the card to edit is not posted yet',
            false,
          );
          return false;
        }
        if (!editing) {
          await this.drop(
            claimed,
            'the card to edit was never posted (dropped, or older than 30 days)',
          );
          return false;
        }
      }
      const outcome = await this.o.guard.perform(
        {
          tenantId: entry.tenantId,
          kind: entry.kind === 'admin_alert' ? 'admin_alert' : 'teams_post',
          repo: entry.conversationId,
          target: entry.threadKey ?? 'alert',
          // Each revision of an edit is its own act (the guard does an act once).
          detail: entry.updateOf
            ? `${entry.id}#${claimed.data.revisionKey ?? claimed.data.revision}`
            : entry.id,
          who: 'reynolds',
          trigger: {
            chainId: entry.chainId,
            nodeId: entry.nodeId,
            depth: entry.depth,
            actorKind: 'self',
          },
        },
        () =>
          editing
            ? this.edit(entry, conversation.reference, editing)
            : this.post(entry, conversation.reference, conversation.scope === 'channel'),
      );
      if (!outcome.done) {
        await this.drop(claimed, `the loop guard refused it: ${outcome.reason}`);
        return false;
      }
      if (entry.updateOf) await outbox.finishUpdate(claimed);
      else await outbox.remove(claimed);
      this.connector.succeeded();
      this.o.observer?.onSent?.(entry, clock.now() - started);
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status !== undefined && !RETRYABLE.has(status)) {
        await this.drop(claimed, `Teams answered ${status}: ${(error as Error).message}`);
        return false;
      }
      // The connector failing (5xx, no answer) pauses all posting; a 429 holds back this alert only.
      const delay =
        status === undefined || status >= 500
          ? this.connector.failed(retryAfterMs(error)) - clock.now()
          : (retryAfterMs(error) ?? this.backoff(claimed.data.attempts));
      await outbox.postpone(
        claimed,
        clock.now() + delay,
        `${status ?? 'network'}: ${(error as Error).message}`,
      );
      this.o.observer?.onRetry?.(entry, status, delay);
      this.o.logger.warn(
        {
          conversation: entry.conversationId,
          status,
          delayMs: delay,
          attempt: claimed.data.attempts,
        },
        'Teams did not take the alert; will retry',
      );
      return false;
    }
  }

  /** Posts the card; in a channel, as a reply in the thread of its PR/issue when there is one. */
  private async post(
    entry: OutboxEntry,
    reference: Partial<ConversationReference>,
    isChannel: boolean,
  ): Promise<string | undefined> {
    const root =
      isChannel && entry.threadKey
        ? await this.o.threads.root(entry.tenantId, entry.conversationId, entry.threadKey)
        : undefined;
    const target: Partial<ConversationReference> = root
      ? {
          ...reference,
          conversation: {
            ...reference.conversation!,
            id: `${entry.conversationId};messageid=${root}`,
          },
        }
      : reference;
    let activityId: string | undefined;
    await this.inTurn(target, async (context) => {
      const activity = MessageFactory.attachment(CardFactory.adaptiveCard(entry.card));
      activity.summary = entry.text;
      const response = await context.sendActivity(activity);
      activityId = response?.id;
    });
    if (isChannel && entry.threadKey && !root && activityId)
      await this.o.threads.start(entry.tenantId, entry.conversationId, entry.threadKey, activityId);
    if (activityId && this.o.posted) {
      const { tenantId, conversationId, priority, chainId, nodeId, depth, threadKey } = entry;
      await this.o.posted.record({
        alertId: entry.id,
        tenantId,
        conversationId,
        postedTo: target.conversation?.id ?? conversationId,
        activityId,
        priority,
        chainId,
        nodeId,
        depth,
        ...(threadKey !== undefined && { threadKey }),
      });
    }
    return activityId;
  }

  /** Edits a posted card in place (`updateActivity`: PUT .../activities/{activityId}). */
  private async edit(
    entry: OutboxEntry,
    reference: Partial<ConversationReference>,
    posted: PostedAlert,
  ): Promise<string> {
    const target: Partial<ConversationReference> = {
      ...reference,
      conversation: { ...reference.conversation!, id: posted.postedTo },
    };
    await this.inTurn(target, async (context) => {
      const activity = MessageFactory.attachment(CardFactory.adaptiveCard(entry.card));
      activity.summary = entry.text;
      activity.id = posted.activityId;
      await context.updateActivity(activity);
    });
    return posted.activityId;
  }

  /**
   * Runs `send` in a proactive turn and rethrows what it threw. The adapter hands a failing turn
   * to its onTurnError (the Teams app logs it there) and then resolves as if all went well, so a
   * post the connector refused would count as posted and leave the outbox: a lost alert. Found by
   * bench/faults (connector-500); tests/teams/proactive-sender.test.ts runs with such a handler.
   */
  private async inTurn(
    target: Partial<ConversationReference>,
    send: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    let failure: { error: unknown } | undefined;
    await this.o.adapter.continueConversationAsync(this.o.botAppId, target, async (context) => {
      try {
        await send(context);
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw failure.error;
  }

  private async drop(record: StoredRecord<OutboxEntry>, reason: string): Promise<void> {
    await this.o.outbox.remove(record);
    this.o.observer?.onDropped?.(record.data, reason);
    this.o.logger.error(
      { conversation: record.data.conversationId, delivery: record.data.deliveryKey, reason },
      'alert dropped: it can never be posted',
    );
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling / 2 + (this.o.random ?? Math.random)() * (ceiling / 2));
  }
}

function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const candidate of [e?.statusCode, e?.status, e?.response?.status])
    if (typeof candidate === 'number') return candidate;
  return undefined;
}

/** Retry-After in seconds or as an HTTP date, from whichever shape of error the connector threw. */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: unknown } })?.response?.headers as
    ({ get?: (name: string) => string | null | undefined } & Record<string, unknown>) | undefined;
  const raw =
    typeof headers?.get === 'function'
      ? headers.get('retry-after')
      : (headers?.['retry-after'] as string | undefined);
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.min(RETRY_MAX_MS, seconds * 1000));
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, Math.min(RETRY_MAX_MS, at - Date.now())) : undefined;
}
