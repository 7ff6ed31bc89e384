/**
 * Latency over a sliding window: the samples of the last `windowMs`, at most `maxSamples` of them,
 * so percentiles follow what the deployment does now rather than since start-up.
 */
import type { Clock } from '../core/clock.js';

export class LatencyWindow {
  private samples: Array<{ at: number; ms: number }> = [];

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = 5 * 60_000,
    private readonly maxSamples = 500,
  ) {}

  record(ms: number): void {
    this.samples.push({ at: this.clock.now(), ms });
    if (this.samples.length > this.maxSamples)
      this.samples.splice(0, this.samples.length - this.maxSamples);
  }

  /** The p-th percentile (nearest rank) of the window; null when it is empty. */
  percentile(p: number): number | null {
    const cutoff = this.clock.now() - this.windowMs;
    this.samples = this.samples.filter((sample) => sample.at >= cutoff);
    if (this.samples.length === 0) return null;
    const sorted = this.samples.map((sample) => sample.ms).sort((a, b) => a - b);
    return sorted[
      Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
    ]!;
  }
}
