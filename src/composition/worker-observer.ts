/** The inbox worker's observer: each outcome counted in the metrics, retries and failures logged. */
import type { InboxWorkerObserver } from '../broker/inbox-worker.js';
import type { ReynoldsMetrics } from '../http/metrics.js';
import type { Logger } from '../log.js';

export function workerObserver(metrics: ReynoldsMetrics, logger: Logger): InboxWorkerObserver {
  return {
    onProcessed: (item, ms) => metrics.onProcessed(item, ms),
    onRetry: (item, err, delayMs) => {
      metrics.onRetry(item);
      logger.warn(
        { err, delivery: item.deliveryId, attempt: item.attempts, delayMs },
        'processing failed; will retry',
      );
    },
    onParked: (item, err) => {
      metrics.onParked(item);
      logger.error(
        { err, delivery: item.deliveryId, attempts: item.attempts },
        'processing failed for good; parked as failed',
      );
    },
    onWorkerError: (err, item) => {
      metrics.onWorkerError();
      logger.warn(
        { err, delivery: item?.deliveryId },
        'inbox worker: store error or lost lease; will pick up again',
      );
    },
  };
}
