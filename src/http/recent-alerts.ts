/**
 * A conversation's recent alerts: those still waiting in the outbox, the alert threads posted
 * there, and the record of each posted alert. GET /api/alerts and the MCP `recent_alerts` tool
 * (src/mcp/server/) both answer from this.
 */
import type { OutboxEntry } from '../routing/alerts/outbox-entry.js';
import type { PostedAlert } from '../routing/alerts/posted-alerts.js';
import type { AlertThread } from '../routing/alerts/thread-record.js';
import type { Store } from '../store/store.js';

const RECENT_ALERTS = 50;

export interface RecentAlerts {
  conversationId: string;
  pending: {
    text: string;
    priority: OutboxEntry['priority'];
    createdAt: number;
    attempts: number;
    lastError?: string;
    chainId?: string;
  }[];
  threads: { threadKey: string; startedAt: number }[];
  posted: {
    threadKey?: string;
    priority: PostedAlert['priority'];
    postedAt: number;
    chainId?: string;
  }[];
}

export async function recentAlerts(
  store: Store,
  tenantId: string,
  conversationId: string,
): Promise<RecentAlerts> {
  const [pending, threadRecords] = await Promise.all([
    store.queryRecords<OutboxEntry>({
      kind: 'outbox',
      tenantId,
      partition: tenantId,
      where: { conversationId },
      limit: RECENT_ALERTS,
    }),
    store.queryRecords<AlertThread | PostedAlert>({
      kind: 'thread',
      tenantId,
      partition: conversationId,
      limit: 2 * RECENT_ALERTS,
    }),
  ]);
  // Thread roots and the record of each posted alert share the kind (src/routing/alerts/thread-record.ts).
  const threads = threadRecords.flatMap(({ data }) => ('rootActivityId' in data ? [data] : []));
  const posted = threadRecords.flatMap(({ data }) => ('postedAt' in data ? [data] : []));
  return {
    conversationId,
    pending: pending.map(({ data }) => ({
      text: data.text,
      priority: data.priority,
      createdAt: data.createdAt,
      attempts: data.attempts,
      lastError: data.lastError,
      chainId: data.chainId,
    })),
    threads: threads
      .map((data) => ({ threadKey: data.threadKey, startedAt: data.startedAt }))
      .sort((a, b) => b.startedAt - a.startedAt),
    posted: posted
      .map((data) => ({
        threadKey: data.threadKey,
        priority: data.priority,
        postedAt: data.postedAt,
        chainId: data.chainId,
      }))
      .sort((a, b) => b.postedAt - a.postedAt),
  };
}
