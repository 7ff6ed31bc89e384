/**
 * Editing a card that is queued or already posted (AlertOutbox.enqueueUpdate).
 *
 * Not posted yet: the pending entry's card is replaced, so it goes out once, already updated.
 * Posted (or being posted right now): an update entry `update|<alertId>` is queued beside the
 * alerts; the sender edits the recorded Teams activity with it, through the same guard, limits and
 * retries as posts. Updates to one alert coalesce: a newer one replaces the card of the queued one,
 * and a sender that finishes an older revision leaves the newer one queued (conditional writes).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { ConflictError, type Store, type StoredRecord } from '../../store/store.js';
import type { OutboxEntry } from './outbox-entry.js';
import { conversationOfAlert, PostedAlerts } from './posted-alerts.js';

export interface CardUpdate {
  card: Record<string, unknown>;
  text: string;
}

export class UnknownAlertError extends Error {
  constructor(alertId: string) {
    super(`no alert ${alertId} is queued or was posted in the last 30 days: nothing to update`);
    this.name = 'UnknownAlertError';
  }
}

export function updateEntryId(alertId: string): string {
  return `update|${alertId}`;
}

/** Conditional writes lose to a concurrent writer at most this often before we give up loudly. */
const MAX_CONFLICTS = 8;

export async function queueAlertUpdate(
  store: Store,
  clock: Clock,
  tenantId: string | undefined,
  alertId: string,
  update: CardUpdate,
): Promise<void> {
  const posted = new PostedAlerts(store, clock);
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt += 1) {
    try {
      const now = clock.now();
      const postedAlert = await posted.find(alertId);
      const tenant = postedAlert?.tenantId ?? tenantId;
      const pending = tenant
        ? await store.getRecord<OutboxEntry>('outbox', tenant, alertId)
        : undefined;
      const inFlight = pending?.data.leaseUntil !== undefined && pending.data.leaseUntil > now;
      if (pending && !inFlight) {
        await store.putRecord(
          {
            kind: 'outbox',
            tenantId: pending.tenantId,
            partition: pending.partition,
            id: alertId,
            data: { ...pending.data, card: update.card, text: update.text },
          },
          { ifMatch: pending.etag },
        );
        return;
      }
      const base = pending?.data ?? postedAlert;
      if (!base || !tenant) throw new UnknownAlertError(alertId);
      const id = updateEntryId(alertId);
      const existing = await store.getRecord<OutboxEntry>('outbox', tenant, id);
      const data: OutboxEntry = existing
        ? {
            ...existing.data,
            card: update.card,
            text: update.text,
            revision: (existing.data.revision ?? 0) + 1,
            revisionKey: randomUUID(),
          }
        : {
            id,
            kind: 'alert',
            updateOf: alertId,
            revision: 1,
            revisionKey: randomUUID(),
            tenantId: tenant,
            conversationId: conversationOfAlert(alertId),
            ...(base.threadKey !== undefined && { threadKey: base.threadKey }),
            card: update.card,
            text: update.text,
            priority: base.priority,
            deliveryKey: `update:${alertId}`,
            chainId: base.chainId,
            nodeId: base.nodeId,
            depth: base.depth,
            createdAt: now,
            attempts: 0,
            nextAttemptAt: now,
          };
      await store.putRecord(
        { kind: 'outbox', tenantId: tenant, partition: tenant, id, data },
        { ifMatch: existing?.etag ?? null },
      );
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new Error(
    `could not queue the update of ${alertId}: ${MAX_CONFLICTS} concurrent writers won in a row`,
  );
}

/**
 * The connector accepted this revision of an update. Gone, unless a newer revision was queued
 * meanwhile: that one stays, released for the next round.
 */
export async function finishAlertUpdate(
  store: Store,
  clock: Clock,
  sent: StoredRecord<OutboxEntry>,
): Promise<void> {
  try {
    // Expired at once (reads never return it; the sweep deletes it), and only if nothing newer came.
    await store.putRecord(
      {
        kind: 'outbox',
        tenantId: sent.tenantId,
        partition: sent.partition,
        id: sent.id,
        data: sent.data,
        expiresAt: clock.now(),
      },
      { ifMatch: sent.etag },
    );
    return;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt += 1) {
    const newer = await store.getRecord<OutboxEntry>('outbox', sent.partition, sent.id);
    if (!newer) return;
    try {
      await store.putRecord(
        {
          kind: 'outbox',
          tenantId: newer.tenantId,
          partition: newer.partition,
          id: newer.id,
          data: {
            ...newer.data,
            leaseOwner: undefined,
            leaseUntil: undefined,
            nextAttemptAt: clock.now(),
          },
        },
        { ifMatch: newer.etag },
      );
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}
