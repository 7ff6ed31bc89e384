/**
 * The pool and the pilot as configured: one OpenAI-SDK provider per MODEL_DEPLOYMENTS entry. With
 * none configured the pool reports `configured: false` and serves no role, so enrichment is off.
 */
import type { Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import { OpenAIProvider, DEFAULT_GITHUB_MODELS_URL } from '../models/providers/openai-provider.js';
import { PilotRollout } from '../models/pilot.js';
import {
  ScheduledModelPool,
  type PoolObserver,
  type PoolSettings,
} from '../models/scheduled-model-pool.js';

type PoolConfig = Pick<
  Config,
  | 'MODEL_DEPLOYMENTS'
  | 'AZURE_OPENAI_API_KEY'
  | 'AZURE_OPENAI_API_VERSION'
  | 'GITHUB_MODELS_TOKEN'
  | 'OPENAI_API_KEY'
  | 'MODEL_POOL_CONCURRENCY'
  | 'MODEL_TIMEOUT_MS'
  | 'MODEL_RETRIES'
  | 'MODEL_BREAKER_FAILURES'
  | 'MODEL_BREAKER_COOLDOWN_MS'
  | 'PILOT_STAGE'
  | 'PILOT_ALLOW'
  | 'PILOT_DENY'
>;

export function pilotFromConfig(config: PoolConfig): PilotRollout {
  return new PilotRollout(config.PILOT_STAGE, config.PILOT_ALLOW, config.PILOT_DENY);
}

export function createModelPool(
  config: PoolConfig,
  clock: Clock,
  options: { observer?: PoolObserver; pilot?: PilotRollout; settings?: Partial<PoolSettings> } = {},
): ScheduledModelPool {
  const keys = {
    azureApiKey: config.AZURE_OPENAI_API_KEY,
    azureApiVersion: config.AZURE_OPENAI_API_VERSION,
    githubModelsToken: config.GITHUB_MODELS_TOKEN,
    openaiApiKey: config.OPENAI_API_KEY,
  };
  const deployments = config.MODEL_DEPLOYMENTS.map((entry) => {
    const deployment = { ...entry, endpoint: entry.endpoint ?? DEFAULT_GITHUB_MODELS_URL };
    return { config: deployment, provider: new OpenAIProvider(deployment, keys) };
  });
  return new ScheduledModelPool({
    deployments,
    clock,
    pilot: options.pilot ?? pilotFromConfig(config),
    observer: options.observer,
    settings: {
      concurrency: config.MODEL_POOL_CONCURRENCY,
      timeoutMs: config.MODEL_TIMEOUT_MS,
      retries: config.MODEL_RETRIES,
      breaker: {
        failures: config.MODEL_BREAKER_FAILURES,
        halfOpenAfterMs: config.MODEL_BREAKER_COOLDOWN_MS,
      },
      ...options.settings,
    },
  });
}
