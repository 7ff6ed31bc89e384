/**
 * The model pool as the rest of Reynolds sees it: five specialised roles, each served by one or
 * more deployments. The pool (scheduler, balancing, breakers, accounting) implements it; the
 * pipeline's enrichment stage, the chat actions and `GET /api/pool` use it. Core code: no
 * framework imports here, providers are adapters behind `ModelProvider`.
 */
import type { ModelRole } from '../core/model-roles.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** Whose work this is, for accounting (tenant + repo when there is one). */
  tenantId?: string;
  repo?: string;
}

export interface CompletionOptions {
  /** Give up (and reject with a timeout) once this many milliseconds have passed, queue included. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface CompletionResult {
  text: string;
  role: ModelRole;
  /** The deployment that answered (its configured name). */
  deployment: string;
  model: string;
  usage: { promptTokens: number; completionTokens: number };
  latencyMs: number;
}

/** One deployment as the provider adapter sees it. */
export interface ModelProvider {
  complete(
    request: CompletionRequest,
    signal: AbortSignal,
  ): Promise<Omit<CompletionResult, 'role' | 'deployment' | 'latencyMs'>>;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface DeploymentSnapshot {
  name: string;
  provider: 'azure' | 'github' | 'openai';
  model: string;
  weight: number;
  inFlight: number;
  breaker: BreakerState;
  requests: number;
  errors: number;
  /** Latency over the recent window, milliseconds; null before the first answer. */
  p50Ms: number | null;
  p95Ms: number | null;
  tokens: { prompt: number; completion: number };
  /** Estimated cost in US dollars, from the configured per-1k-token prices. */
  costUsd: number;
}

export interface RoleSnapshot {
  role: ModelRole;
  queued: number;
  inFlight: number;
  deployments: DeploymentSnapshot[];
}

export interface PilotSnapshot {
  /** Percentage of tenant+repo pairs in the pilot: 0, 5, 15, 50 or 100. */
  stagePercent: number;
  allow: string[];
  deny: string[];
}

/** What `GET /api/pool` answers (JSON), and what the personal tab and `status` show. */
export interface PoolSnapshot {
  /** False when no deployment is configured: enrichment is off and the offline planner answers chat. */
  configured: boolean;
  concurrency: { limit: number; inFlight: number; queued: number };
  roles: RoleSnapshot[];
  pilot: PilotSnapshot;
  /** A short series for charts: one point per sampling interval, oldest first. */
  history: Array<{
    at: number;
    role: ModelRole;
    p50Ms: number | null;
    p95Ms: number | null;
    inFlight: number;
    queued: number;
  }>;
}

export interface ModelPool {
  complete(
    role: ModelRole,
    request: CompletionRequest,
    options?: CompletionOptions,
  ): Promise<CompletionResult>;
  /** Whether a role has at least one deployment. */
  serves(role: ModelRole): boolean;
  snapshot(): PoolSnapshot;
  close(): Promise<void>;
}
