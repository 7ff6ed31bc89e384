/**
 * When the Teams connector itself fails (5xx, or no answer at all), every post would fail the
 * same way, so the sender pauses *all* posting and probes again after a jittered, growing delay,
 * instead of backing each alert off on its own. Per-alert backoff left a backlog trickling out for
 * minutes after the connector recovered (bench/faults: connector-500); this way the whole backlog
 * is due again within one pause (at most `maxMs`) of the recovery.
 *
 * 429s are not handled here: Teams throttles per thread as well as per tenant, so a 429 holds
 * back only the alert that got it, for as long as its Retry-After says.
 *
 * No library: a breaker (cockatiel's) opens after N failures and gates calls one at a time; what
 * is wanted here is a shared "not before" time that the outbox entries are postponed to.
 */
import type { Clock } from '../../core/clock.js';

export class ConnectorBackoff {
  private pausedUntil = 0;
  private failures = 0;

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
    private readonly baseMs = 1_000,
    private readonly maxMs = 15_000,
  ) {}

  isPaused(): boolean {
    return this.clock.now() < this.pausedUntil;
  }

  /**
   * A post failed because the connector is failing. Returns when posting may resume. Failures of
   * posts sent together (one round) count once: only the first after a pause makes it longer.
   */
  failed(retryAfterMs?: number): number {
    const now = this.clock.now();
    if (now >= this.pausedUntil) {
      this.failures += 1;
      const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** (this.failures - 1));
      const delay = retryAfterMs ?? Math.round(ceiling / 2 + this.random() * (ceiling / 2));
      this.pausedUntil = now + delay;
    }
    return this.pausedUntil;
  }

  succeeded(): void {
    this.failures = 0;
    this.pausedUntil = 0;
  }
}
