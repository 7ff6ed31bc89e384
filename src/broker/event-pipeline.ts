/**
 * The pipeline one inbox item goes through: decode it into a BrokerEvent, then run the stages in
 * order (loops → routing → enrichment → notify, as later stages land). A stage that throws fails
 * the item, which the worker retries; stages must therefore be idempotent per delivery.
 */
import type { BrokerEvent } from '../github/broker-event.js';
import type { InboxItem } from '../store/store.js';
import type { InboxPipeline } from './inbox-worker.js';

export interface PipelineStage {
  readonly name: string;
  run(event: BrokerEvent, item: InboxItem): Promise<void>;
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
    const event = this.decode(item);
    for (const stage of this.stages) await stage.run(event, item);
  }
}
