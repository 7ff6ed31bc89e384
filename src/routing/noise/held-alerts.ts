/**
 * Alerts that were not posted one by one: held by quiet mode, or folded when the outbox was over
 * its budget. They are never dropped: each is kept (kind `digest`, partition per conversation) until
 * a summary card about them is queued: when quiet ends, in the next digest, or, for folded ones,
 * the fold's own summary card.
 */
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';
import type { Priority } from '../../core/classification.js';

export interface HeldAlert {
  alertId: string;
  reason: 'quiet' | 'folded';
  priority: Priority;
  text: string;
  url?: string;
  repo?: string;
  /** The chain node it was about: the summary that lists it is an act on that chain. */
  chain: { chainId: string; nodeId: string; depth: number };
  at: number;
}

/** Held alerts are kept a week; a digest or a quiet-end summary lists them well before. */
const HELD_TTL_MS = 7 * 24 * 3600_000;
const PREFIX = 'held|';

const partitionOf = (conversationId: string) => `held|${conversationId}`;

export class HeldAlerts {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async hold(
    tenantId: string,
    conversationId: string,
    alert: Omit<HeldAlert, 'at'>,
  ): Promise<void> {
    const now = this.clock.now();
    await this.store.putRecord({
      kind: 'digest',
      tenantId,
      partition: partitionOf(conversationId),
      id: PREFIX + alert.alertId,
      data: { ...alert, at: now },
      expiresAt: now + HELD_TTL_MS,
    });
  }

  async list(
    tenantId: string,
    conversationId: string,
    reason: HeldAlert['reason'],
  ): Promise<HeldAlert[]> {
    const records = await this.store.queryRecords<HeldAlert>({
      kind: 'digest',
      tenantId,
      partition: partitionOf(conversationId),
      where: { reason },
      oldestFirst: true,
      limit: 500,
    });
    return records.map((r) => r.data);
  }

  /** After their summary is safely in the outbox. */
  async release(conversationId: string, alerts: readonly HeldAlert[]): Promise<void> {
    for (const alert of alerts)
      await this.store.deleteRecord('digest', partitionOf(conversationId), PREFIX + alert.alertId);
  }
}
