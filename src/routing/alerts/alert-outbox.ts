/**
 * The outbox of Teams alerts: one record per (delivery, conversation), written by the routing
 * stage and removed by the proactive sender only after the Teams connector accepted the post.
 * The id makes enqueueing idempotent (a rerun of the pipeline queues nothing twice), and claims
 * are conditional writes on the record's etag, so two replicas never post the same alert.
 */
import type { Clock } from '../../core/clock.js';
import { ConflictError, type Store, type StoredRecord } from '../../store/store.js';
import { finishAlertUpdate, queueAlertUpdate, type CardUpdate } from './alert-updates.js';
import type { NewOutboxEntry, OutboxEntry } from './outbox-entry.js';

/** How many due entries one sender looks at per round. */
const SCAN_LIMIT = 500;

export class AlertOutbox {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Where pending alerts of `enqueueUpdate` are looked up (posted ones know their tenant). */
    private readonly tenantId?: string,
  ) {}

  /**
   * Edits an alert's card (id `${deliveryKey}|${conversationId}`): replaced in the queue when not
   * posted yet, else edited in place in Teams by the sender. Updates to one alert coalesce.
   */
  async enqueueUpdate(
    alertId: string,
    update: { card: Record<string, unknown>; text: string },
  ): Promise<void> {
    await queueAlertUpdate(
      this.store,
      this.clock,
      this.tenantId,
      alertId,
      update satisfies CardUpdate,
    );
  }

  /** The connector took an update: gone, unless a newer revision of it is waiting. */
  async finishUpdate(record: StoredRecord<OutboxEntry>): Promise<void> {
    await finishAlertUpdate(this.store, this.clock, record);
  }

  /** Queues an alert; false when this delivery was already queued for this conversation. */
  async enqueue(entry: NewOutboxEntry): Promise<boolean> {
    const now = this.clock.now();
    const id = `${entry.deliveryKey}|${entry.conversationId}`;
    const data: OutboxEntry = { ...entry, id, createdAt: now, attempts: 0, nextAttemptAt: now };
    try {
      await this.store.putRecord(
        { kind: 'outbox', tenantId: entry.tenantId, partition: entry.tenantId, id, data },
        { ifMatch: null },
      );
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  /**
   * Entries that are due (not waiting for a retry, not leased by a live sender), oldest first.
   * Read oldest-written first, so under a backlog untouched alerts are served before ones that were
   * just postponed, and none starves.
   */
  async due(tenantId: string, limit: number): Promise<StoredRecord<OutboxEntry>[]> {
    const now = this.clock.now();
    const records = await this.store.queryRecords<OutboxEntry>({
      kind: 'outbox',
      tenantId,
      partition: tenantId,
      limit: SCAN_LIMIT,
      oldestFirst: true,
    });
    // Only a conversation's oldest entry is a candidate, and only while nothing of that
    // conversation is out with a sender (this replica's or another's): so a reply never overtakes
    // the card that starts its thread, and cards keep their order whoever sends them.
    const seen = new Set<string>();
    const due: StoredRecord<OutboxEntry>[] = [];
    for (const record of records.sort((a, b) => a.data.createdAt - b.data.createdAt)) {
      const { conversationId, leaseUntil, nextAttemptAt } = record.data;
      if (seen.has(conversationId)) continue;
      seen.add(conversationId);
      if ((leaseUntil === undefined || leaseUntil <= now) && nextAttemptAt <= now) due.push(record);
      if (due.length >= limit) break;
    }
    return due;
  }

  /** Takes an entry for sending; undefined when another sender got it first. */
  async claim(
    record: StoredRecord<OutboxEntry>,
    owner: string,
    leaseMs: number,
  ): Promise<StoredRecord<OutboxEntry> | undefined> {
    const data: OutboxEntry = {
      ...record.data,
      attempts: record.data.attempts + 1,
      leaseOwner: owner,
      leaseUntil: this.clock.now() + leaseMs,
    };
    try {
      return await this.store.putRecord(
        {
          kind: 'outbox',
          tenantId: record.tenantId,
          partition: record.partition,
          id: record.id,
          data,
        },
        { ifMatch: record.etag },
      );
    } catch (error) {
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
  }

  /** The connector accepted it (or it can never be sent): gone from the outbox. */
  async remove(record: StoredRecord<OutboxEntry>): Promise<void> {
    await this.store.deleteRecord('outbox', record.partition, record.id);
  }

  /** Not now: try again at `nextAttemptAt` (a rate limit, a 429, a 5xx). */
  async postpone(
    record: StoredRecord<OutboxEntry>,
    nextAttemptAt: number,
    error?: string,
    countAttempt = true,
  ): Promise<void> {
    const data: OutboxEntry = {
      ...record.data,
      attempts: countAttempt ? record.data.attempts : Math.max(0, record.data.attempts - 1),
      nextAttemptAt,
      lastError: error ?? record.data.lastError,
      leaseOwner: undefined,
      leaseUntil: undefined,
    };
    await this.store.putRecord(
      {
        kind: 'outbox',
        tenantId: record.tenantId,
        partition: record.partition,
        id: record.id,
        data,
      },
      { ifMatch: record.etag },
    );
  }

  /** Whether an alert (by outbox id) still waits to be posted. */
  async isQueued(tenantId: string, alertId: string): Promise<boolean> {
    return (await this.store.getRecord('outbox', tenantId, alertId)) !== undefined;
  }

  async size(tenantId: string): Promise<number> {
    return (
      await this.store.queryRecords({
        kind: 'outbox',
        tenantId,
        partition: tenantId,
        limit: SCAN_LIMIT,
      })
    ).length;
  }
}
