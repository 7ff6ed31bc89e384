/**
 * Prometheus metrics of the model pool and of enrichment, registered in Reynolds's registry. This
 * adapter implements the pool's and the enrichment stage's observer ports.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { EnrichmentObserver, EnrichmentOutcome } from '../models/enrichment-stage.js';
import type { ModelRole } from '../core/model-roles.js';
import type { CallOutcome, PoolObserver } from '../models/scheduled-model-pool.js';
import type { ContentFilterStage } from '../models/model-errors.js';

export class ModelMetrics implements PoolObserver, EnrichmentObserver {
  private readonly calls: Counter<'role' | 'deployment' | 'outcome'>;
  private readonly callSeconds: Histogram<'role'>;
  private readonly queueSeconds: Histogram<'role'>;
  private readonly tokens: Counter<'role' | 'deployment' | 'kind'>;
  private readonly cost: Counter<'role' | 'deployment'>;
  private readonly retries: Counter<'role'>;
  private readonly breakers: Counter<'deployment' | 'state'>;
  private readonly contentFiltered: Counter<'role' | 'deployment' | 'stage'>;
  private readonly enrichments: Counter<'outcome'>;
  private readonly enrichSeconds: Histogram<'outcome'>;
  private readonly tasks: Counter<'role' | 'outcome'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
    this.calls = new Counter({
      name: 'reynolds_model_calls_total',
      help: 'Model calls by role, deployment and outcome (ok, throttled, error, timeout, deadline, rejected).',
      labelNames: ['role', 'deployment', 'outcome'],
      registers,
    });
    this.callSeconds = new Histogram({
      name: 'reynolds_model_call_seconds',
      help: 'Time of one model call attempt.',
      labelNames: ['role'],
      buckets,
      registers,
    });
    this.queueSeconds = new Histogram({
      name: 'reynolds_model_queue_seconds',
      help: 'Time a model request waited for a pool slot.',
      labelNames: ['role'],
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.tokens = new Counter({
      name: 'reynolds_model_tokens_total',
      help: 'Tokens used, by kind (prompt, completion).',
      labelNames: ['role', 'deployment', 'kind'],
      registers,
    });
    this.cost = new Counter({
      name: 'reynolds_model_cost_usd_total',
      help: 'Estimated model cost in US dollars, from the configured prices.',
      labelNames: ['role', 'deployment'],
      registers,
    });
    this.retries = new Counter({
      name: 'reynolds_model_retries_total',
      help: 'Model call attempts retried (same or another deployment).',
      labelNames: ['role'],
      registers,
    });
    this.breakers = new Counter({
      name: 'reynolds_model_breaker_transitions_total',
      help: 'Circuit breaker state changes per deployment.',
      labelNames: ['deployment', 'state'],
      registers,
    });
    // Categories stay out of the labels: they come in combinations, and the error message names them.
    this.contentFiltered = new Counter({
      name: 'reynolds_model_content_filtered_total',
      help: "Model calls the deployment's content filter blocked, by stage (prompt, completion). Never retried.",
      labelNames: ['role', 'deployment', 'stage'],
      registers,
    });
    this.enrichments = new Counter({
      name: 'reynolds_enrichments_total',
      help: 'Enrichments by outcome (updated, empty, timeout, failed, abandoned).',
      labelNames: ['outcome'],
      registers,
    });
    this.enrichSeconds = new Histogram({
      name: 'reynolds_enrichment_seconds',
      help: 'Time from routing to the enrichment outcome.',
      labelNames: ['outcome'],
      buckets,
      registers,
    });
    this.tasks = new Counter({
      name: 'reynolds_enrichment_tasks_total',
      help: 'Enrichment tasks by role and outcome.',
      labelNames: ['role', 'outcome'],
      registers,
    });
  }

  onCall(role: ModelRole, deployment: string, outcome: CallOutcome, ms: number): void {
    this.calls.inc({ role, deployment, outcome });
    if (deployment !== '-') this.callSeconds.observe({ role }, ms / 1000);
  }
  onTokens(
    role: ModelRole,
    deployment: string,
    prompt: number,
    completion: number,
    costUsd: number,
  ): void {
    this.tokens.inc({ role, deployment, kind: 'prompt' }, prompt);
    this.tokens.inc({ role, deployment, kind: 'completion' }, completion);
    this.cost.inc({ role, deployment }, costUsd);
  }
  onQueued(role: ModelRole, waitMs: number): void {
    this.queueSeconds.observe({ role }, waitMs / 1000);
  }
  onRetry(role: ModelRole): void {
    this.retries.inc({ role });
  }
  onBreaker(deployment: string, state: 'open' | 'half-open' | 'closed'): void {
    this.breakers.inc({ deployment, state });
  }
  onContentFiltered(role: ModelRole, deployment: string, stage: ContentFilterStage): void {
    this.contentFiltered.inc({ role, deployment, stage });
  }
  onEnrichment(outcome: EnrichmentOutcome, ms: number): void {
    this.enrichments.inc({ outcome });
    this.enrichSeconds.observe({ outcome }, ms / 1000);
  }
  onTask(role: ModelRole, outcome: 'ok' | 'timeout' | 'failed'): void {
    this.tasks.inc({ role, outcome });
  }
}
