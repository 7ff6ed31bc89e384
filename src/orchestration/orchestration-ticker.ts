/**
 * The periodic part of orchestration on the house's PollingLoop: every `intervalMs` it asks the
 * stage to look at the intervention checks that fell due (and, once a day, the stale gauge).
 * Time-based rules need it; everything else happens as events pass.
 */
import { PollingLoop } from '../broker/polling-loop.js';
import type { OrchestrationStage } from './orchestration-stage.js';

/** A minute: rules speak at a fraction of windows measured in hours, so a minute late is nothing. */
export const DEFAULT_TICK_MS = 60_000;

export class OrchestrationTicker {
  private readonly loop: PollingLoop;

  constructor(
    stage: Pick<OrchestrationStage, 'tick'>,
    tenantId: string,
    onError: (error: unknown) => void,
    intervalMs = DEFAULT_TICK_MS,
  ) {
    // Each round reports 0 done, so the loop waits the full interval between rounds.
    this.loop = new PollingLoop(
      async () => {
        await stage.tick(tenantId);
        return 0;
      },
      intervalMs,
      onError,
    );
  }

  start(): void {
    this.loop.start();
  }

  async stop(graceMs: number): Promise<void> {
    await this.loop.stop(graceMs);
  }
}
