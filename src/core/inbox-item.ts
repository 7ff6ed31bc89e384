/**
 * A webhook delivery as intake writes it and the inbox holds it: the record every stage of the
 * pipeline starts from. The storage port (src/store/store.ts) stores it; the core reads it.
 */

export type InboxStatus = 'pending' | 'processing' | 'done' | 'failed';

export const INBOX_STATUSES: readonly InboxStatus[] = ['pending', 'processing', 'done', 'failed'];

export interface DeliveryInput {
  /** Tenant the delivery belongs to. */
  tenantId: string;
  /** Dedupe key: `<hook identity>:<X-GitHub-Delivery>` (see github/delivery-key.ts). */
  key: string;
  deliveryId: string;
  /** `X-GitHub-Event`. */
  event: string;
  action?: string;
  /** Items that share it are processed in arrival order (the repository, or the org). */
  orderingKey: string;
  /** Milliseconds since the epoch. */
  receivedAt: number;
  /** The payload as GitHub sent it (JSON text; form-encoded deliveries are unwrapped). */
  body: string;
  /**
   * `body` as UTF-8 bytes, when the caller already has them (a JSON delivery's raw body), so a
   * store that writes bytes need not encode the text again.
   */
  bodyBytes?: Buffer;
}

export interface InboxItem extends Omit<DeliveryInput, 'body'> {
  status: InboxStatus;
  /** Null once the item is done: the body is not kept past processing. */
  body: string | null;
  /** Arrival order within this store. */
  seq: number;
  /** Claims so far; a claim that never completes (a crash) still counts. */
  attempts: number;
  /** Earliest time the item may be claimed again (backoff). */
  nextAttemptAt: number;
  leaseOwner?: string;
  leaseUntil?: number;
  lastError?: string;
  completedAt?: number;
  /** When the record stops existing; undefined while it must be kept. */
  expiresAt?: number;
}
