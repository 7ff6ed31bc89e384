/**
 * The model pool: admission through the fair scheduler (global cap, per-role round-robin), then per
 * attempt the least-loaded deployment of the role behind its own breaker and timeout, retried on
 * 429/5xx/timeouts with Retry-After honoured, failing over to another deployment when there is one.
 * One deadline covers the whole call, queue included.
 */
import {
  BrokenCircuitError,
  TaskCancelledError,
  TimeoutStrategy,
  handleWhen,
  retry,
  timeout,
} from 'cockatiel';
import type { Clock } from '../core/clock.js';
import {
  PooledDeployment,
  pickDeployment,
  type BreakerSettings,
  type DeploymentConfig,
} from './deployment.js';
import { FairScheduler } from './fair-scheduler.js';
import { LatencyWindow } from './latency-window.js';
import {
  ContentFilteredError,
  DeadlineExceededError,
  ModelCallError,
  PoolClosedError,
  PoolUnavailableError,
  isTransient,
  type ContentFilterStage,
} from './model-errors.js';
import { MODEL_ROLES, type ModelRole } from '../core/model-roles.js';
import {
  type CompletionOptions,
  type CompletionRequest,
  type CompletionResult,
  type ModelPool,
  type ModelProvider,
  type PilotSnapshot,
  type PoolSnapshot,
} from './model-pool.js';
import { RetryBackoff } from './retry-backoff.js';

export interface PoolSettings {
  /** Calls in flight across all roles; Infinity for no cap. */
  concurrency: number;
  /** Per attempt, milliseconds. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  breaker: BreakerSettings;
  /** One history point per role every this many milliseconds (0: no timer; call sampleHistory). */
  historyIntervalMs: number;
  historyPoints: number;
}

export const DEFAULT_POOL_SETTINGS: PoolSettings = {
  concurrency: 10,
  timeoutMs: 30_000,
  retries: 3,
  retryBaseMs: 250,
  retryMaxMs: 10_000,
  breaker: { failures: 5, halfOpenAfterMs: 30_000 },
  historyIntervalMs: 10_000,
  historyPoints: 60,
};

export type CallOutcome = 'ok' | 'throttled' | 'error' | 'timeout' | 'deadline' | 'rejected';

/** What the metrics adapter hears; the pool knows nothing of prom-client. */
export interface PoolObserver {
  onCall?(role: ModelRole, deployment: string, outcome: CallOutcome, ms: number): void;
  onTokens?(
    role: ModelRole,
    deployment: string,
    prompt: number,
    completion: number,
    costUsd: number,
  ): void;
  onQueued?(role: ModelRole, waitMs: number): void;
  onRetry?(role: ModelRole, deployment: string, delayMs: number): void;
  onBreaker?(deployment: string, state: 'open' | 'half-open' | 'closed'): void;
  /** The deployment's content filter blocked the prompt or the completion (the call also counts as an error in onCall). */
  onContentFiltered?(
    role: ModelRole,
    deployment: string,
    stage: ContentFilterStage,
    categories: readonly string[],
  ): void;
}

export interface PoolParts {
  deployments: Array<{ config: DeploymentConfig; provider: ModelProvider }>;
  settings?: Partial<PoolSettings>;
  clock: Clock;
  pilot?: { snapshot(): PilotSnapshot };
  observer?: PoolObserver;
  random?: () => number;
}

export class ScheduledModelPool implements ModelPool {
  private readonly settings: PoolSettings;
  private readonly scheduler: FairScheduler<ModelRole>;
  private readonly byRole = new Map<ModelRole, PooledDeployment[]>();
  private readonly roleLatency = new Map<ModelRole, LatencyWindow>();
  private readonly history: PoolSnapshot['history'] = [];
  private readonly timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly parts: PoolParts) {
    this.settings = {
      ...DEFAULT_POOL_SETTINGS,
      ...parts.settings,
      breaker: { ...DEFAULT_POOL_SETTINGS.breaker, ...parts.settings?.breaker },
    };
    this.scheduler = new FairScheduler(MODEL_ROLES, this.settings.concurrency);
    for (const role of MODEL_ROLES) {
      this.byRole.set(role, []);
      this.roleLatency.set(role, new LatencyWindow(parts.clock));
    }
    for (const { config, provider } of parts.deployments) {
      const deployment = new PooledDeployment(config, provider, this.settings.breaker, parts.clock);
      deployment.breaker.onBreak(() => parts.observer?.onBreaker?.(config.name, 'open'));
      deployment.breaker.onHalfOpen(() => parts.observer?.onBreaker?.(config.name, 'half-open'));
      deployment.breaker.onReset(() => parts.observer?.onBreaker?.(config.name, 'closed'));
      this.byRole.get(config.role)!.push(deployment);
    }
    if (this.settings.historyIntervalMs > 0 && parts.deployments.length > 0) {
      this.timer = setInterval(() => this.sampleHistory(), this.settings.historyIntervalMs);
      this.timer.unref();
    }
  }

  serves(role: ModelRole): boolean {
    return (this.byRole.get(role)?.length ?? 0) > 0;
  }

  async complete(
    role: ModelRole,
    request: CompletionRequest,
    options: CompletionOptions = {},
  ): Promise<CompletionResult> {
    if (this.closed) throw new PoolClosedError();
    const deployments = this.byRole.get(role);
    if (deployments === undefined || deployments.length === 0)
      throw new PoolUnavailableError(role, 'none configured');
    const { clock } = this.parts;
    const startedAt = clock.now();
    const deadlineMs = options.deadlineMs ?? Infinity;
    const controller = new AbortController();
    let phase: 'queued' | 'running' = 'queued';
    const onCallerAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (options.signal?.aborted) onCallerAbort();
    const deadline = Number.isFinite(deadlineMs)
      ? setTimeout(
          () => controller.abort(new DeadlineExceededError(role, deadlineMs, phase)),
          Math.max(0, deadlineMs),
        )
      : undefined;
    try {
      let release: () => void;
      try {
        release = await this.scheduler.acquire(role, controller.signal, deadlineMs);
      } catch (error) {
        this.parts.observer?.onCall?.(
          role,
          '-',
          error instanceof DeadlineExceededError ? 'deadline' : 'rejected',
          clock.now() - startedAt,
        );
        throw error;
      }
      phase = 'running';
      this.parts.observer?.onQueued?.(role, clock.now() - startedAt);
      try {
        const result = await this.attempts(
          role,
          deployments,
          request,
          controller.signal,
          () => deadlineMs - (clock.now() - startedAt),
        );
        const latencyMs = clock.now() - startedAt;
        this.roleLatency.get(role)!.record(latencyMs);
        return { ...result, latencyMs };
      } finally {
        release();
      }
    } finally {
      if (deadline !== undefined) clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private async attempts(
    role: ModelRole,
    deployments: PooledDeployment[],
    request: CompletionRequest,
    signal: AbortSignal,
    remainingMs: () => number,
  ): Promise<Omit<CompletionResult, 'latencyMs'>> {
    const tried = new Set<PooledDeployment>();
    let last: PooledDeployment | undefined;
    const policy = retry(
      handleWhen((error) => isTransient(error) || error instanceof BrokenCircuitError),
      {
        maxAttempts: this.settings.retries,
        backoff: new RetryBackoff({
          baseMs: this.settings.retryBaseMs,
          maxMs: this.settings.retryMaxMs,
          remainingMs,
          random: this.parts.random,
          canFailOver: () => deployments.some((d) => !tried.has(d) && d.available),
        }),
      },
    );
    policy.onRetry(({ delay }) =>
      this.parts.observer?.onRetry?.(role, last?.config.name ?? '-', delay),
    );
    const perCall = timeout(this.settings.timeoutMs, TimeoutStrategy.Aggressive);
    try {
      return await policy.execute(async () => {
        if (signal.aborted) throw reasonOf(signal);
        const deployment = pickDeployment(deployments, tried)!;
        tried.add(deployment);
        last = deployment;
        return this.call(role, deployment, request, perCall, signal);
      }, signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError)
        throw new PoolUnavailableError(role, 'every deployment of the role has its breaker open');
      throw error;
    }
  }

  private async call(
    role: ModelRole,
    deployment: PooledDeployment,
    request: CompletionRequest,
    perCall: ReturnType<typeof timeout>,
    signal: AbortSignal,
  ): Promise<Omit<CompletionResult, 'latencyMs'>> {
    const { clock, observer } = this.parts;
    const name = deployment.config.name;
    const started = clock.now();
    deployment.inFlight += 1;
    try {
      const answer = await deployment.breaker.execute(async () => {
        try {
          return await perCall.execute(
            (_context, callSignal) => deployment.provider.complete(request, callSignal),
            signal,
          );
        } catch (error) {
          if (signal.aborted) throw reasonOf(signal);
          if (error instanceof TaskCancelledError)
            throw new ModelCallError(
              `${name} did not answer within ${this.settings.timeoutMs} ms`,
              'timeout',
            );
          throw error;
        }
      });
      deployment.requests += 1;
      const ms = clock.now() - started;
      deployment.account(answer.usage, ms);
      const cost =
        (answer.usage.promptTokens / 1000) * deployment.config.promptPricePer1k +
        (answer.usage.completionTokens / 1000) * deployment.config.completionPricePer1k;
      observer?.onCall?.(role, name, 'ok', ms);
      observer?.onTokens?.(
        role,
        name,
        answer.usage.promptTokens,
        answer.usage.completionTokens,
        cost,
      );
      return { ...answer, role, deployment: name };
    } catch (error) {
      // A breaker that refused the call sent nothing: not a request, not an error of the deployment.
      if (!(error instanceof BrokenCircuitError)) {
        deployment.requests += 1;
        deployment.errors += 1;
        observer?.onCall?.(role, name, outcomeOf(error), clock.now() - started);
        if (error instanceof ContentFilteredError)
          observer?.onContentFiltered?.(role, name, error.stage, error.categories);
      }
      throw error;
    } finally {
      deployment.inFlight -= 1;
    }
  }

  /** Appends one point per role to the history series (the timer calls it; tests may too). */
  sampleHistory(): void {
    const at = this.parts.clock.now();
    for (const role of MODEL_ROLES) {
      if (!this.serves(role)) continue;
      const window = this.roleLatency.get(role)!;
      this.history.push({
        at,
        role,
        p50Ms: window.percentile(50),
        p95Ms: window.percentile(95),
        inFlight: this.scheduler.active(role),
        queued: this.scheduler.queued(role),
      });
    }
    const max = this.settings.historyPoints * MODEL_ROLES.length;
    if (this.history.length > max) this.history.splice(0, this.history.length - max);
  }

  snapshot(): PoolSnapshot {
    return {
      configured: this.parts.deployments.length > 0,
      concurrency: {
        limit: this.settings.concurrency,
        inFlight: this.scheduler.active(),
        queued: this.scheduler.queued(),
      },
      roles: MODEL_ROLES.map((role) => ({
        role,
        queued: this.scheduler.queued(role),
        inFlight: this.scheduler.active(role),
        deployments: this.byRole.get(role)!.map((d) => d.snapshot()),
      })),
      pilot: this.parts.pilot?.snapshot() ?? { stagePercent: 0, allow: [], deny: [] },
      history: this.history.slice(),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.scheduler.close();
  }
}

function reasonOf(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new Error('model call aborted by the caller');
}

function outcomeOf(error: unknown): CallOutcome {
  if (error instanceof DeadlineExceededError) return 'deadline';
  if (error instanceof ModelCallError)
    return error.kind === 'timeout' ? 'timeout' : error.status === 429 ? 'throttled' : 'error';
  return 'error';
}
