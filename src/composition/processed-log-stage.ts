/**
 * The pipeline's last stage: one "processed" log line per event (what, where, which chain and
 * verdict) and the loop verdict counted in the metrics. Crash and replica tests read these lines.
 */
import type { PipelineStage } from '../core/pipeline.js';
import type { ReynoldsMetrics } from '../http/metrics.js';
import type { Logger } from '../log.js';

export function processedLogStage(metrics: ReynoldsMetrics, logger: Logger): PipelineStage {
  return {
    name: 'log',
    async run({ event, loop }) {
      if (loop) metrics.onVerdict(loop.verdict);
      const target =
        event.target?.number !== undefined
          ? `#${event.target.number}`
          : event.target
            ? ` ${event.target.key}`
            : '';
      logger.info(
        {
          delivery: event.deliveryId,
          event: event.kind,
          action: event.action,
          repo: event.repo?.fullName,
          chain: loop?.node.chainId,
          verdict: loop?.verdict,
        },
        `processed ${event.kind}${event.action ? `.${event.action}` : ''} ${event.repo?.fullName ?? event.org ?? ''}${target}${event.actor ? ` by ${event.actor.login}` : ''}`,
      );
    },
  };
}
