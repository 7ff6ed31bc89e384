/** Pools against the OpenAI stand-in, through the real SDK provider. */
import { systemClock } from '../../src/core/clock.js';
import type { DeploymentConfig } from '../../src/models/deployment.js';
import type { ModelRole } from '../../src/core/model-roles.js';
import { OpenAIProvider } from '../../src/models/providers/openai-provider.js';
import {
  ScheduledModelPool,
  type PoolObserver,
  type PoolSettings,
} from '../../src/models/scheduled-model-pool.js';

export function deploymentAt(
  url: string,
  name: string,
  role: ModelRole,
  extra: Partial<DeploymentConfig> = {},
): DeploymentConfig {
  return {
    name,
    role,
    provider: 'openai',
    endpoint: url,
    model: name,
    weight: 1,
    promptPricePer1k: 0,
    completionPricePer1k: 0,
    ...extra,
  };
}

export function poolOf(
  configs: DeploymentConfig[],
  settings: Partial<PoolSettings> = {},
  observer?: PoolObserver,
): ScheduledModelPool {
  return new ScheduledModelPool({
    deployments: configs.map((config) => ({
      config,
      provider: new OpenAIProvider(config, {
        openaiApiKey: 'test-key',
        azureApiKey: 'azure-test-key',
      }),
    })),
    clock: systemClock,
    observer,
    settings: { historyIntervalMs: 0, retryBaseMs: 5, ...settings },
  });
}

export const ask = (text = 'hello') => ({ messages: [{ role: 'user' as const, content: text }] });
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every field of `expected` is in `actual` with the same value. */
export function assertIncludes(
  actual: object | undefined,
  expected: Record<string, unknown>,
): void {
  const picked = Object.fromEntries(
    Object.keys(expected).map((key) => [
      key,
      (actual as Record<string, unknown> | undefined)?.[key],
    ]),
  );
  if (JSON.stringify(picked) !== JSON.stringify(expected))
    throw new Error(`expected ${JSON.stringify(actual)} to include ${JSON.stringify(expected)}`);
}
