/**
 * The pipeline stage that puts each event into its chain and attaches the verdict, before
 * anything downstream (routing, enrichment, write-backs) may act on it.
 */
import type { PipelineContext, PipelineStage } from '../core/pipeline.js';
import { eventNodeId } from '../core/chain-records.js';
import type { ChainTracker } from './chain-tracker.js';

export class LoopStage implements PipelineStage {
  readonly name = 'loops';

  constructor(private readonly tracker: ChainTracker) {}

  async run(context: PipelineContext): Promise<void> {
    context.loop = await this.tracker.assess(context.event, eventNodeId(context.item.key));
  }
}
