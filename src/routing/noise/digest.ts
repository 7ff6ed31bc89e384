/**
 * The daily digest per conversation, and the summary of alerts held by quiet mode.
 *
 * A scheduler driven by the Clock looks at every subscribed conversation once a round (a minute):
 * - quiet now: nothing (held alerts and the digest wait for the quiet to end);
 * - the local time (the conversation's zone) is within CATCH_UP_MINUTES after its digest time and
 *   today's digest was not sent: the digest is queued (it lists the held alerts too, which are then
 *   released). A scheduled digest with nothing in it is not sent (a daily "all clear" is noise);
 *   one that could not go out within the catch-up window (down, or quiet) is skipped, not sent late;
 * - else, alerts held by a quiet that has ended: one summary card.
 * "Sent today" is a `digest` record created with a conditional write (id per conversation and local
 * date), so two replicas or a restart never send one day's digest twice.
 */
import { PollingLoop } from '../../broker/polling-loop.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../log.js';
import { ConflictError, type Store } from '../../store/store.js';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import {
  type ChannelSettings,
  isQuiet,
  localTime,
  minutesOf,
  type TimeOfDay,
} from './channel-settings.js';
import { buildDigest, isEmptyDigest, type DigestThresholds } from './digest-content.js';
import type { HeldAlert } from './held-alerts.js';
import type { NoiseControl, NoiseCards, NoiseObserver } from './noise-control.js';
import type { OpenWork } from './open-work.js';
import type { SubscriptionBook } from '../subscriptions/subscription-book.js';

/** What the chat's "digest now" calls. */
export interface DigestSource {
  digestNow(tenantId: string, conversationId: string): Promise<void>;
}

/** A chain node for a post no event caused (the write guard puts every post on a chain). */
export type ScheduledChainStarter = (
  tenantId: string,
  what: string,
) => Promise<{ chainId: string; nodeId: string; depth: number }>;

export interface DigestSchedulerOptions extends DigestThresholds {
  store: Store;
  clock: Clock;
  logger: Logger;
  tenantId: string;
  outbox: AlertOutbox;
  noise: NoiseControl;
  subscriptions: SubscriptionBook;
  work: OpenWork;
  cards: NoiseCards;
  startChain: ScheduledChainStarter;
  /** Digest time of conversations that set none (DIGEST_HOUR). */
  defaultAt: TimeOfDay;
  observer?: NoiseObserver;
  onQueued?: () => void;
  pollMs?: number;
}

const SENT_TTL_MS = 3 * 24 * 3600_000;
/** How late a digest may still go out (a restart, a quiet that ran past the digest time). */
const CATCH_UP_MINUTES = 180;

export class DigestScheduler implements DigestSource {
  private readonly loop: PollingLoop;
  private firstRound: NodeJS.Timeout | undefined;

  constructor(private readonly o: DigestSchedulerOptions) {
    this.loop = new PollingLoop(
      async () => (await this.tick(), 0),
      o.pollMs ?? 60_000,
      (error) => o.logger.warn({ err: error }, 'digest scheduler: a round failed; will try again'),
    );
  }

  /** The first round comes one poll after start, not at once: a starting process has other work. */
  start(): void {
    this.firstRound ??= setTimeout(() => this.loop.start(), this.o.pollMs ?? 60_000);
    this.firstRound.unref();
  }

  async stop(graceMs: number): Promise<void> {
    clearTimeout(this.firstRound);
    await this.loop.stop(graceMs);
  }

  /** One round over the tenant's subscribed conversations. Returns how many cards it queued. */
  async tick(): Promise<number> {
    const conversations = new Set(
      (await this.o.subscriptions.forTenant(this.o.tenantId, { fresh: true })).map(
        (s) => s.conversationId,
      ),
    );
    let queued = 0;
    for (const conversationId of conversations) {
      try {
        queued += await this.tickConversation(this.o.tenantId, conversationId);
      } catch (error) {
        this.o.logger.warn(
          { err: error, conversation: conversationId },
          'digest scheduler: one conversation failed; the others carry on',
        );
      }
    }
    if (queued > 0) this.o.onQueued?.();
    return queued;
  }

  /** The digest, now, whatever the hour (it does not count as today's scheduled one). */
  async digestNow(tenantId: string, conversationId: string): Promise<void> {
    const settings = await this.o.noise.settings.get(tenantId, conversationId);
    await this.sendDigest(tenantId, settings, `now-${this.o.clock.now()}`, { skipEmpty: false });
    this.o.onQueued?.();
  }

  private async tickConversation(tenantId: string, conversationId: string): Promise<number> {
    const now = this.o.clock.now();
    const settings = await this.o.noise.settings.get(tenantId, conversationId);
    if (isQuiet(settings, now)) return 0;
    const local = localTime(now, settings.timeZone);
    const late = local.minutes - minutesOf(settings.digestAt ?? this.o.defaultAt);
    const due = !settings.digestOff && late >= 0 && late < CATCH_UP_MINUTES;
    if (due && (await this.claimDay(tenantId, conversationId, local.date))) {
      if (await this.sendDigest(tenantId, settings, local.date, { skipEmpty: true })) return 1;
    }
    const held = await this.o.noise.held.list(tenantId, conversationId, 'quiet');
    if (held.length === 0) return 0;
    const built = this.o.cards.held(held);
    const first = held[0]!;
    await this.o.outbox.enqueue({
      tenantId,
      conversationId,
      card: built.card,
      text: built.text,
      priority: highest(held),
      deliveryKey: `held:${first.alertId}`,
      ...first.chain,
    });
    await this.o.noise.held.release(conversationId, held);
    this.o.observer?.onNoise?.('held_summary_sent', held.length);
    return 1;
  }

  /** True for the one caller (replica, or run after a restart) that gets to send this day's digest. */
  private async claimDay(tenantId: string, conversationId: string, date: string): Promise<boolean> {
    try {
      const now = this.o.clock.now();
      await this.o.store.putRecord(
        {
          kind: 'digest',
          tenantId,
          partition: `sent|${tenantId}`,
          id: `${conversationId}|${date}`,
          data: { conversationId, date, at: now },
          expiresAt: now + SENT_TTL_MS,
        },
        { ifMatch: null },
      );
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  /** Queues the digest; false when it was empty and `skipEmpty`. */
  private async sendDigest(
    tenantId: string,
    settings: ChannelSettings,
    day: string,
    options: { skipEmpty: boolean },
  ): Promise<boolean> {
    const { conversationId } = settings;
    const now = this.o.clock.now();
    const [work, subscriptions, held] = await Promise.all([
      this.o.work.list(tenantId),
      this.o.subscriptions.forTenant(tenantId),
      this.o.noise.held.list(tenantId, conversationId, 'quiet'),
    ]);
    const digest = buildDigest({
      conversationId,
      date: localTime(now, settings.timeZone).date,
      now,
      work,
      subscriptions,
      held,
      thresholds: this.o,
    });
    if (options.skipEmpty && isEmptyDigest(digest)) return false;
    const built = this.o.cards.digest(digest);
    const chain = await this.o.startChain(tenantId, `digest:${conversationId}:${day}`);
    await this.o.outbox.enqueue({
      tenantId,
      conversationId,
      card: built.card,
      text: built.text,
      priority: 'P2',
      deliveryKey: `digest:${day}`,
      ...chain,
    });
    await this.o.noise.held.release(conversationId, held);
    this.o.observer?.onNoise?.('digest_sent');
    return true;
  }
}

function highest(alerts: readonly HeldAlert[]): HeldAlert['priority'] {
  return alerts.map((a) => a.priority).sort()[0] ?? 'P3';
}
