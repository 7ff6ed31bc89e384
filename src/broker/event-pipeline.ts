/**
 * The pipeline one inbox item goes through: decode it into a BrokerEvent, then run the stages in
 * order (loops → routing → enrichment → notify, as they land), each reading and adding to one
 * context. A stage that throws fails the item, which the worker retries; stages must therefore be
 * idempotent per delivery.
 */
import type { BrokerEvent } from '../github/broker-event.js';
import type { Assessment } from '../loops/chain-tracker.js';
import type { Classification } from '../routing/classification.js';
import type { CardFamily } from '../routing/router.js';
import type { InboxItem } from '../store/store.js';
import type { InboxPipeline } from './inbox-worker.js';

export interface PipelineContext {
  readonly event: BrokerEvent;
  readonly item: InboxItem;
  /** Set by the loop stage: the event's chain, score and verdict. */
  loop?: Assessment;
  /** Set by the routing stage: priority, urgency, category, stakeholders. */
  classification?: Classification;
  /** Set by the routing stage: the alerts it queued (outbox id `${deliveryKey}|${conversationId}`). */
  alerts?: Array<{ alertId: string; conversationId: string; family: CardFamily }>;
}

export interface PipelineStage {
  readonly name: string;
  run(context: PipelineContext): Promise<void>;
}

/** Turns a stored delivery into a BrokerEvent; injected so the core does not know payload shapes. */
export type EventDecoder = (item: InboxItem) => BrokerEvent;

/** An item that can never succeed (its body is gone or is not a payload): retrying will not help. */
export class UndecodableItemError extends Error {
  readonly permanent = true;
  constructor(key: string, reason: string) {
    super(`inbox item ${key} cannot be decoded: ${reason}`);
    this.name = 'UndecodableItemError';
  }
}

export class EventPipeline implements InboxPipeline {
  constructor(
    private readonly decode: EventDecoder,
    private readonly stages: readonly PipelineStage[],
  ) {}

  async process(item: InboxItem): Promise<void> {
    const context: PipelineContext = { event: this.decode(item), item };
    for (const stage of this.stages) await stage.run(context);
  }
}
