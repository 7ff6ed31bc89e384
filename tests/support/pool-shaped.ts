/**
 * A small ModelPool (the port of src/models/model-pool.ts) over in-test providers, for the tab's
 * pool API and page until the real pool is wired into startReynolds: it counts what it serves and
 * reports it in the port's snapshot shape.
 */
import { MODEL_ROLES, type ModelRole } from '../../src/core/model-roles.js';
import { type CompletionRequest, type CompletionResult, type DeploymentSnapshot, type ModelPool, type ModelProvider, type PoolSnapshot } from '../../src/models/model-pool.js';

interface Deployment {
  snapshot: DeploymentSnapshot;
  provider: ModelProvider;
  latencies: number[];
}

export class PoolShaped implements ModelPool {
  private readonly deployments = new Map<ModelRole, Deployment[]>();
  private readonly history: PoolSnapshot['history'] = [];

  constructor(
    config: Array<{ role: ModelRole; name: string; model: string; provider: ModelProvider; pricePer1k?: number }>,
    private readonly pilot: PoolSnapshot['pilot'] = { stagePercent: 15, allow: ['contoso/octo-repo'], deny: ['contoso/secret'] },
  ) {
    for (const d of config) {
      const list = this.deployments.get(d.role) ?? [];
      list.push({ provider: d.provider, latencies: [], snapshot: { name: d.name, provider: 'openai', model: d.model, weight: 1, inFlight: 0, breaker: 'closed', requests: 0, errors: 0, p50Ms: null, p95Ms: null, tokens: { prompt: 0, completion: 0 }, costUsd: 0 } });
      this.deployments.set(d.role, list);
    }
    this.prices = new Map(config.map((d) => [d.name, d.pricePer1k ?? 0.002]));
  }
  private readonly prices: Map<string, number>;

  serves(role: ModelRole): boolean {
    return (this.deployments.get(role)?.length ?? 0) > 0;
  }

  async complete(role: ModelRole, request: CompletionRequest): Promise<CompletionResult> {
    const deployment = this.deployments.get(role)?.[0];
    if (!deployment) throw new Error(`no deployment serves ${role}`);
    const s = deployment.snapshot;
    const started = performance.now();
    s.inFlight += 1;
    s.requests += 1;
    try {
      const answer = await deployment.provider.complete(request, new AbortController().signal);
      const latencyMs = performance.now() - started;
      deployment.latencies.push(latencyMs);
      s.p50Ms = percentile(deployment.latencies, 0.5);
      s.p95Ms = percentile(deployment.latencies, 0.95);
      s.tokens.prompt += answer.usage.promptTokens;
      s.tokens.completion += answer.usage.completionTokens;
      s.costUsd += ((answer.usage.promptTokens + answer.usage.completionTokens) / 1000) * (this.prices.get(s.name) ?? 0);
      this.history.push({ at: Date.now(), role, p50Ms: s.p50Ms, p95Ms: s.p95Ms, inFlight: s.inFlight - 1, queued: 0 });
      return { ...answer, role, deployment: s.name, latencyMs };
    } catch (error) {
      s.errors += 1;
      if (s.errors >= 3) s.breaker = 'open';
      throw error;
    } finally {
      s.inFlight -= 1;
    }
  }

  snapshot(): PoolSnapshot {
    const roles = MODEL_ROLES.filter((role) => this.serves(role)).map((role) => {
      const deployments = this.deployments.get(role)!.map((d) => structuredClone(d.snapshot));
      return { role, queued: 0, inFlight: deployments.reduce((n, d) => n + d.inFlight, 0), deployments };
    });
    const inFlight = roles.reduce((n, r) => n + r.inFlight, 0);
    return { configured: roles.length > 0, concurrency: { limit: 8, inFlight, queued: 0 }, roles, pilot: this.pilot, history: [...this.history] };
  }

  async close(): Promise<void> {}
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** A provider that answers after `ms`, or fails when `fail` says so. */
export function timedProvider(ms: () => number, fail: () => boolean = () => false): ModelProvider {
  return {
    async complete(request) {
      await new Promise((resolve) => setTimeout(resolve, ms()));
      if (fail()) throw new Error('503 from the model endpoint');
      return { text: `ok: ${request.messages.at(-1)?.content ?? ''}`, model: 'gpt-4o-mini', usage: { promptTokens: 120, completionTokens: 40 } };
    },
  };
}
