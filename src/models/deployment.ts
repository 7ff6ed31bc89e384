/**
 * One deployment as the pool runs it: its configuration, its circuit breaker (cockatiel), and what
 * it has done (requests, errors, tokens, cost, latency).
 */
import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { Clock } from '../core/clock.js';
import { LatencyWindow } from './latency-window.js';
import { isTransient } from './model-errors.js';
import type { BreakerState, DeploymentSnapshot, ModelProvider } from './model-pool.js';
import type { ModelRole } from '../core/model-roles.js';

export type ProviderKind = 'azure' | 'github' | 'openai';

export interface DeploymentConfig {
  name: string;
  role: ModelRole;
  provider: ProviderKind;
  endpoint: string;
  model: string;
  /** Azure deployment name; defaults to `model`. */
  deployment?: string;
  apiVersion?: string;
  /** Relative share of traffic among a role's deployments (>0). */
  weight: number;
  promptPricePer1k: number;
  completionPricePer1k: number;
}

export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  failures: number;
  /** How long it stays open before one trial call (half-open). */
  halfOpenAfterMs: number;
}

export class PooledDeployment {
  readonly breaker: CircuitBreakerPolicy;
  inFlight = 0;
  requests = 0;
  errors = 0;
  promptTokens = 0;
  completionTokens = 0;
  costUsd = 0;
  readonly latency: LatencyWindow;
  /** When the breaker last opened, on cockatiel's clock (Date.now, which it does not let us inject). */
  private openedAt = 0;
  private readonly halfOpenAfterMs: number;

  constructor(
    readonly config: DeploymentConfig,
    readonly provider: ModelProvider,
    breaker: BreakerSettings,
    clock: Clock,
  ) {
    this.halfOpenAfterMs = breaker.halfOpenAfterMs;
    // Only failures of the deployment count: a 400 says our request was wrong, not that it is down.
    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: breaker.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(breaker.failures),
    });
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.latency = new LatencyWindow(clock);
  }

  /**
   * Whether a call may go here: breaker closed or half-open, or open with its cool-down over (the
   * next call is then cockatiel's half-open trial). Without the last case an open deployment would
   * never be tried again while its siblings are healthy, and could never recover.
   */
  get available(): boolean {
    return this.state !== 'open' || Date.now() - this.openedAt >= this.halfOpenAfterMs;
  }

  get state(): BreakerState {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /** Outstanding calls per unit of weight: what least-outstanding balancing compares. */
  get load(): number {
    return this.inFlight / this.config.weight;
  }

  account(usage: { promptTokens: number; completionTokens: number }, latencyMs: number): void {
    this.promptTokens += usage.promptTokens;
    this.completionTokens += usage.completionTokens;
    this.costUsd +=
      (usage.promptTokens / 1000) * this.config.promptPricePer1k +
      (usage.completionTokens / 1000) * this.config.completionPricePer1k;
    this.latency.record(latencyMs);
  }

  snapshot(): DeploymentSnapshot {
    return {
      name: this.config.name,
      provider: this.config.provider,
      model: this.config.model,
      weight: this.config.weight,
      inFlight: this.inFlight,
      breaker: this.state,
      requests: this.requests,
      errors: this.errors,
      p50Ms: this.latency.percentile(50),
      p95Ms: this.latency.percentile(95),
      tokens: { prompt: this.promptTokens, completion: this.completionTokens },
      costUsd: Math.round(this.costUsd * 1e6) / 1e6,
    };
  }
}

/**
 * Least outstanding requests per weight among deployments whose breaker lets calls through, ties
 * to the heavier one, then to the one that has served fewer requests per weight. When none is
 * available, cockatiel refuses the call at once (BrokenCircuitError) and the pool says so.
 */
export function pickDeployment(
  candidates: readonly PooledDeployment[],
  avoid: ReadonlySet<PooledDeployment>,
): PooledDeployment | undefined {
  const fresh = candidates.filter((d) => !avoid.has(d));
  const pool = fresh.length > 0 ? fresh : candidates;
  const usable = pool.filter((d) => d.available);
  const from = usable.length > 0 ? usable : pool;
  let best: PooledDeployment | undefined;
  for (const d of from) {
    if (
      best === undefined ||
      d.load < best.load ||
      (d.load === best.load &&
        (d.config.weight > best.config.weight ||
          (d.config.weight === best.config.weight &&
            d.requests / d.config.weight < best.requests / best.config.weight)))
    )
      best = d;
  }
  return best;
}
