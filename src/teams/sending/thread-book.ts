/**
 * Alert threads: the Teams message that started the thread about a PR, issue or commit in a
 * channel, so later cards about the same thing are posted as replies to it. The record (shape, id,
 * 30-day lifetime) belongs to routing/alerts/thread-record.ts, which posted alerts share.
 */
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';
import {
  readThreadRecord,
  threadRootId,
  writeThreadRecord,
  type AlertThread,
} from '../../routing/alerts/thread-record.js';

export class ThreadBook {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async root(
    tenantId: string,
    conversationId: string,
    threadKey: string,
  ): Promise<string | undefined> {
    return (
      await readThreadRecord<AlertThread>(this.store, conversationId, threadRootId(threadKey))
    )?.rootActivityId;
  }

  async start(
    tenantId: string,
    conversationId: string,
    threadKey: string,
    rootActivityId: string,
  ): Promise<void> {
    const now = this.clock.now();
    const data: AlertThread = { threadKey, rootActivityId, startedAt: now };
    await writeThreadRecord(this.store, {
      tenantId,
      conversationId,
      id: threadRootId(threadKey),
      data,
      now,
    });
  }
}
