/**
 * What Teams answered when an alert was posted: the activity id of the card, and the conversation
 * (or channel thread) it went to, so the card can be edited in place later (a burst that grows, a
 * model's enrichment). One record per alert (outbox id `${deliveryKey}|${conversationId}`), kept 30
 * days like alert threads, in the conversation's partition of the `thread` kind (thread-record.ts).
 */
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';
import type { Priority } from '../../core/classification.js';
import { postedAlertId, readThreadRecord, writeThreadRecord } from './thread-record.js';

export interface PostedAlert {
  alertId: string;
  tenantId: string;
  conversationId: string;
  /** Where the card lives: the conversation, or `<channel>;messageid=<root>` for a thread reply. */
  postedTo: string;
  activityId: string;
  priority: Priority;
  chainId: string;
  nodeId: string;
  depth: number;
  threadKey?: string;
  postedAt: number;
}

/** The alert id an outbox entry has; the conversation is its last `|` field. */
export function alertIdOf(deliveryKey: string, conversationId: string): string {
  return `${deliveryKey}|${conversationId}`;
}

export function conversationOfAlert(alertId: string): string {
  const cut = alertId.lastIndexOf('|');
  if (cut <= 0 || cut === alertId.length - 1)
    throw new Error(`"${alertId}" is not an alert id: expected <deliveryKey>|<conversationId>`);
  return alertId.slice(cut + 1);
}

export class PostedAlerts {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async find(alertId: string): Promise<PostedAlert | undefined> {
    return readThreadRecord<PostedAlert>(
      this.store,
      conversationOfAlert(alertId),
      postedAlertId(alertId),
    );
  }

  async record(posted: Omit<PostedAlert, 'postedAt'>): Promise<void> {
    const now = this.clock.now();
    const data: PostedAlert = { ...posted, postedAt: now };
    await writeThreadRecord(this.store, {
      tenantId: posted.tenantId,
      conversationId: posted.conversationId,
      id: postedAlertId(posted.alertId),
      data,
      now,
    });
  }
}
