/**
 * What every wiring step shares: the configuration, the clock, the logger, the opened store, the
 * metrics, and this process's name as a lease owner (inbox worker, sender, recovery).
 */
import type { Config } from '../config.js';
import type { Clock } from '../core/clock.js';
import type { ReynoldsMetrics } from '../http/metrics.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

export interface Foundation {
  config: Config;
  clock: Clock;
  logger: Logger;
  store: Store;
  metrics: ReynoldsMetrics;
  /** `<host>-<pid>-<random>`: whose lease an inbox item or outbox entry is. */
  workerOwner: string;
}
