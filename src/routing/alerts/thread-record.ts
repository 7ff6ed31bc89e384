/**
 * The `thread` record kind, owned here: its partition, its ids and its lifetime. A conversation's
 * partition holds two shapes: the root of an alert thread (AlertThread, written by
 * teams/sending/thread-book.ts), keyed by its thread key (`owner/repo#1`), and what Teams answered
 * for each posted alert (posted-alerts.ts), keyed `posted|<alert id>`. Both are kept 30 days
 * (docs/architecture.md, "Records and their lifetimes"). It lives in routing/alerts, not teams/,
 * because routing may not import teams/ and both writers need it.
 */
import type { Store } from '../../store/store.js';

/** Alert threads and posted alerts are kept this long after they are written. */
export const THREAD_TTL_MS = 30 * 24 * 3600_000;

/** The Teams message that started the thread about a PR, issue or commit in a conversation. */
export interface AlertThread {
  threadKey: string;
  rootActivityId: string;
  startedAt: number;
}

/** Posted-alert ids carry this prefix, which a thread key (`owner/repo#1`) never starts with. */
const POSTED_PREFIX = 'posted|';

/** The record id of a thread's root: the thread key itself. */
export function threadRootId(threadKey: string): string {
  return threadKey;
}

/** The record id of a posted alert. */
export function postedAlertId(alertId: string): string {
  return POSTED_PREFIX + alertId;
}

/** One `thread` record of a conversation, by its id (threadRootId or postedAlertId). */
export async function readThreadRecord<T extends object>(
  store: Store,
  conversationId: string,
  id: string,
): Promise<T | undefined> {
  return (await store.getRecord<T>('thread', conversationId, id))?.data;
}

/** Writes one `thread` record in the conversation's partition, to expire THREAD_TTL_MS after `now`. */
export async function writeThreadRecord<T extends object>(
  store: Store,
  record: { tenantId: string; conversationId: string; id: string; data: T; now: number },
): Promise<void> {
  await store.putRecord({
    kind: 'thread',
    tenantId: record.tenantId,
    partition: record.conversationId,
    id: record.id,
    data: record.data,
    expiresAt: record.now + THREAD_TTL_MS,
  });
}
