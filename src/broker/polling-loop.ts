/**
 * A loop that runs rounds of work until stopped, waits `pollMs` after a round that found nothing,
 * and can be woken early (after a write that created work, say). The inbox worker and the
 * proactive sender both run on it.
 */
import { raceTimeout } from '../core/race-timeout.js';

export class PollingLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    /** One round; returns how much it did (0 means "idle a while"). */
    private readonly round: () => Promise<number>,
    private readonly pollMs: number,
    /** A round threw; the loop carries on after the idle wait. */
    private readonly onError: (error: unknown) => void,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** Stops after the current round, waiting for it at most `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await raceTimeout(this.loop, graceMs, () => undefined);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let done = 0;
      try {
        done = await this.round();
      } catch (error) {
        this.onError(error);
      }
      if (done === 0 && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(finish, this.pollMs);
      this.wakeUp = finish;
    });
  }
}
