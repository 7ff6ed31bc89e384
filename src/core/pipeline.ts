/**
 * The contracts of the pipeline one inbox item goes through: the context every stage reads and adds
 * to, the stage itself, and the decoder that turns a stored delivery into a BrokerEvent. The stages
 * (loops, routing, models) and the decoder (github) implement them; broker/event-pipeline.ts runs
 * them in order.
 */
import type { BrokerEvent } from './broker-event.js';
import type { CardFamily } from './card-builders.js';
import type { Assessment } from './chain-records.js';
import type { Classification } from './classification.js';
import type { CoordinationNotice } from './coordination.js';
import type { InboxItem } from './inbox-item.js';

export interface PipelineContext {
  readonly event: BrokerEvent;
  readonly item: InboxItem;
  /** Set by the loop stage: the event's chain, score and verdict. */
  loop?: Assessment;
  /** Set by the routing stage: priority, urgency, category, stakeholders. */
  classification?: Classification;
  /** Set by the routing stage: the alerts it queued (outbox id `${deliveryKey}|${conversationId}`). */
  alerts?: Array<{ alertId: string; conversationId: string; family: CardFamily }>;
  /** Set by the orchestration stage: what each dependent of the event's item should hear. */
  coordination?: CoordinationNotice[];
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
