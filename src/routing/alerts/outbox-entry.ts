/**
 * One entry of the alert outbox: a card waiting to be posted, or an edit of a posted card. Its own
 * file because the outbox and the card-update path both read it.
 */
import type { Priority } from '../../core/classification.js';

export interface OutboxEntry {
  id: string;
  /** An alert about an event, or the admins' alert that a chain was stopped as a loop. */
  kind?: 'alert' | 'admin_alert';
  tenantId: string;
  conversationId: string;
  /** Cards with one key share a thread (a PR, an issue, a commit...). */
  threadKey?: string;
  /** The Adaptive Card to post. */
  card: Record<string, unknown>;
  /** One line for notifications and clients that cannot show cards. */
  text: string;
  priority: Priority;
  deliveryKey: string;
  /** The chain node the alert is about: the post is an act on that chain. */
  chainId: string;
  nodeId: string;
  depth: number;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  leaseOwner?: string;
  leaseUntil?: number;
  /** An edit of the posted card of this alert (its outbox id), not a new post (alert-updates.ts). */
  updateOf?: string;
  /** Counts coalesced edits, so a sender finishing an older one can tell a newer one came. */
  revision?: number;
  /**
   * Unique per written revision: the write guard does each act once, and an edit queued after an
   * earlier one was sent (its entry gone, the count restarted) is a new act all the same.
   */
  revisionKey?: string;
}

export type NewOutboxEntry = Omit<OutboxEntry, 'id' | 'createdAt' | 'attempts' | 'nextAttemptAt'>;
