/**
 * Alert threads: the Teams message that started the thread about a PR, issue or commit in a
 * channel, so later cards about the same thing are posted as replies to it. Kept 30 days.
 */
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';

export const THREAD_TTL_MS = 30 * 24 * 3600_000;

export interface AlertThread {
  threadKey: string;
  rootActivityId: string;
  startedAt: number;
}

export class ThreadBook {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async root(tenantId: string, conversationId: string, threadKey: string): Promise<string | undefined> {
    return (await this.store.getRecord<AlertThread>('thread', conversationId, threadKey))?.data.rootActivityId;
  }

  async start(tenantId: string, conversationId: string, threadKey: string, rootActivityId: string): Promise<void> {
    const now = this.clock.now();
    await this.store.putRecord({ kind: 'thread', tenantId, partition: conversationId, id: threadKey, data: { threadKey, rootActivityId, startedAt: now }, expiresAt: now + THREAD_TTL_MS });
  }
}
