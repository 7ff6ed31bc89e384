/**
 * Noise control, between routing and the outbox: for each alert the routing stage would queue, it
 * decides whether it is posted as is, held (quiet mode), collapsed into a burst card, or folded into
 * a summary card (outbox over budget). docs/noise-control.md explains the rules.
 *
 * Order: quiet first (a quiet channel gets nothing but P0, bursts included), then folding (the
 * outbox is over budget: low priority alerts become one summary per conversation), then bursts.
 */
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';
import type { BrokerEvent } from '../../core/broker-event.js';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import type { NewOutboxEntry } from '../alerts/outbox-entry.js';
import { UnknownAlertError } from '../alerts/alert-updates.js';
import {
  BurstWindows,
  burstKeyOf,
  type BurstItem,
  type BurstKey,
  type BurstWindow,
} from './burst-windows.js';
import { type Classification, type Priority, priorityRank } from '../../core/classification.js';
import { ChannelSettingsBook, isQuiet } from './channel-settings.js';
import type { Digest } from './digest-content.js';
import { HeldAlerts, type HeldAlert } from './held-alerts.js';
import { alertIdOf } from '../alerts/posted-alerts.js';

export interface BuiltCard {
  card: Record<string, unknown>;
  text: string;
}

/** The cards noise control posts (src/teams/cards/noise-cards.ts); injected to stay framework-free. */
export interface NoiseCards {
  burst(window: BurstWindow): BuiltCard;
  folded(window: BurstWindow): BuiltCard;
  held(alerts: readonly HeldAlert[]): BuiltCard;
  digest(digest: Digest): BuiltCard;
}

export type NoiseOutcome = 'collapsed' | 'folded' | 'held' | 'digest_sent' | 'held_summary_sent';

/**
 * What the loop guard knows that makes an alert part of a storm: one card, edited in place,
 * instead of one card per event.
 */
export interface StormHint {
  /** The same actor said the same thing on this target just before: the run's first event. */
  repeatOf?: { deliveryKey: string; count: number; firstAt: number };
  /** The chain is dampened (a loop, write-backs stopped): its alerts fold into one card. */
  dampenedChain?: string;
  /** What the event did, in a word ("comment"). */
  what: string;
  /** Where, for the card: `owner/repo#12`. */
  where: string;
}

export interface NoiseObserver {
  onNoise?(outcome: NoiseOutcome, count?: number): void;
}

export interface NoiseOptions {
  store: Store;
  clock: Clock;
  outbox: AlertOutbox;
  cards: NoiseCards;
  burstWindowMs: number;
  /**
   * Outbox entries of a tenant beyond which P3 alerts fold (and P2 beyond twice this): Teams takes
   * 50 a second per tenant, so 250 is 5 s of waiting and 500 is 10 s.
   */
  foldBacklog?: number;
  observer?: NoiseObserver;
}

/** How long a fold summary keeps absorbing alerts once it is open. */
const FOLD_WINDOW_MS = 30_000;
/** The backlog is read at most this often (it is a query; the routing stage runs per delivery). */
const BACKLOG_TTL_MS = 1_000;
const FOLD_KEY: BurstKey = { family: 'folded', repo: '*', scope: 'low-priority' };

export class NoiseControl {
  readonly settings: ChannelSettingsBook;
  readonly held: HeldAlerts;
  private readonly bursts: BurstWindows;
  private readonly folds: BurstWindows;
  private backlog = { at: -Infinity, size: 0, tenantId: '' };

  constructor(private readonly o: NoiseOptions) {
    this.settings = new ChannelSettingsBook(o.store);
    this.held = new HeldAlerts(o.store, o.clock);
    this.bursts = new BurstWindows(o.store, o.clock, o.burstWindowMs);
    this.folds = new BurstWindows(o.store, o.clock, FOLD_WINDOW_MS);
  }

  /**
   * Places one alert. Returns true when the caller should queue it as usual; false when noise
   * control took care of it (held, folded, or an update of a burst card was queued).
   */
  async place(
    event: BrokerEvent,
    classification: Classification,
    entry: NewOutboxEntry,
    storm?: StormHint,
  ): Promise<boolean> {
    const { tenantId, conversationId, priority } = entry;
    const alertId = alertIdOf(entry.deliveryKey, conversationId);
    const item: BurstItem = {
      deliveryKey: entry.deliveryKey,
      at: this.o.clock.now(),
      ...(event.actor && { actor: event.actor.login }),
      ...((event.title ?? entry.text) && { title: event.title ?? entry.text }),
      ...(event.sha && { sha: event.sha }),
      ...(event.url && { url: event.url }),
      ...(event.state && { state: event.state }),
    };
    if (
      priority !== 'P0' &&
      isQuiet(await this.settings.get(tenantId, conversationId), this.o.clock.now())
    ) {
      const chain = { chainId: entry.chainId, nodeId: entry.nodeId, depth: entry.depth };
      await this.held.hold(tenantId, conversationId, {
        alertId,
        reason: 'quiet',
        priority,
        text: entry.text,
        chain,
        ...(event.url && { url: event.url }),
        ...(event.repo && { repo: event.repo.fullName }),
      });
      this.o.observer?.onNoise?.('held');
      return false;
    }
    if (await this.shouldFold(tenantId, priority)) {
      await this.fold(entry, item);
      return false;
    }
    // Storms collapse whatever their priority: a loop of P1 events floods as well as any other.
    if (storm && (await this.placeStorm(entry, { ...item, what: storm.what }, storm))) return false;
    const key = burstKeyOf(event, classification);
    if (!key) return true;
    const decision = await this.bursts.absorb(tenantId, conversationId, key, item, alertId);
    if (decision.kind === 'post') return true;
    if (decision.kind === 'seen') return false;
    // The burst's first card gone (dropped as unpostable): this one is posted on its own.
    return !(await this.editWindowCard(decision.window));
  }

  /** Edits a window's card to count one more alert; false when that card is not there to edit. */
  private async editWindowCard(window: BurstWindow): Promise<boolean> {
    try {
      await this.o.outbox.enqueueUpdate(window.alertId, this.o.cards.burst(window));
    } catch (error) {
      if (error instanceof UnknownAlertError) return false;
      throw error;
    }
    this.o.observer?.onNoise?.('collapsed');
    return true;
  }

  /**
   * A repeat joins the card of the run's first event; on a dampened chain, the first alert opens
   * the storm's card and the next ones edit it. True when the alert was taken care of.
   */
  private async placeStorm(
    entry: NewOutboxEntry,
    item: BurstItem,
    storm: StormHint,
  ): Promise<boolean> {
    const { tenantId, conversationId } = entry;
    const repo = storm.where;
    let decision;
    if (storm.repeatOf) {
      const key: BurstKey = {
        family: 'storm',
        repo,
        scope: `repeat:${storm.repeatOf.deliveryKey}`,
      };
      const firstAlertId = alertIdOf(storm.repeatOf.deliveryKey, conversationId);
      // The run's first event posted its own card before anyone knew it would repeat: it opens the window.
      const opened = await this.bursts.absorb(
        tenantId,
        conversationId,
        key,
        {
          deliveryKey: storm.repeatOf.deliveryKey,
          at: storm.repeatOf.firstAt,
          ...(item.actor && { actor: item.actor }),
          what: item.what,
        },
        firstAlertId,
      );
      if (opened.kind === 'seen' || opened.window.alertId !== firstAlertId) return false;
      decision = await this.bursts.absorb(
        tenantId,
        conversationId,
        key,
        item,
        alertIdOf(entry.deliveryKey, conversationId),
      );
    } else if (storm.dampenedChain) {
      const key: BurstKey = { family: 'storm', repo, scope: `chain:${storm.dampenedChain}` };
      decision = await this.bursts.absorb(
        tenantId,
        conversationId,
        key,
        item,
        alertIdOf(entry.deliveryKey, conversationId),
      );
    } else {
      return false;
    }
    if (decision.kind === 'post') return false;
    if (decision.kind === 'seen') return true;
    // The storm's first card not there (filtered, held, dropped): this one is posted on its own.
    return this.editWindowCard(decision.window);
  }

  private async fold(entry: NewOutboxEntry, item: BurstItem): Promise<void> {
    const summaryKey = `fold:${entry.deliveryKey}`;
    const decision = await this.folds.absorb(
      entry.tenantId,
      entry.conversationId,
      FOLD_KEY,
      { ...item, title: entry.text },
      alertIdOf(summaryKey, entry.conversationId),
    );
    if (decision.kind === 'seen') return;
    const summary = this.o.cards.folded(decision.window);
    if (decision.kind === 'post') {
      // The summary is an alert of its own, at the priority of what it folds, threaded nowhere.
      const { threadKey: _thread, ...rest } = entry;
      await this.o.outbox.enqueue({
        ...rest,
        deliveryKey: summaryKey,
        card: summary.card,
        text: summary.text,
      });
    } else {
      await this.o.outbox.enqueueUpdate(decision.window.alertId, summary);
    }
    this.o.observer?.onNoise?.('folded');
  }

  private async shouldFold(tenantId: string, priority: Priority): Promise<boolean> {
    const bound = this.o.foldBacklog;
    if (bound === undefined || priorityRank(priority) < priorityRank('P2')) return false;
    const now = this.o.clock.now();
    if (this.backlog.tenantId !== tenantId || now - this.backlog.at > BACKLOG_TTL_MS) {
      this.backlog = { at: now, size: await this.o.outbox.size(tenantId), tenantId };
    }
    return priority === 'P3' ? this.backlog.size >= bound : this.backlog.size >= bound * 2;
  }
}
