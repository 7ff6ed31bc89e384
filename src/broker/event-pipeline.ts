/**
 * The pipeline one inbox item goes through: decode it into a BrokerEvent, then run the stages in
 * order (loops → routing → enrichment → notify, as they land), each reading and adding to one
 * context. A stage that throws fails the item, which the worker retries; stages must therefore be
 * idempotent per delivery.
 */
import type { EventDecoder, PipelineContext, PipelineStage } from '../core/pipeline.js';
import type { InboxItem } from '../core/inbox-item.js';
import type { InboxPipeline } from './inbox-worker.js';

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
