/**
 * The provider adapter: one deployment over the `openai` v4 SDK. `AzureOpenAI` for Azure OpenAI
 * (endpoint, deployment, api-version, key), `OpenAI` with a base URL for GitHub Models and any
 * other OpenAI-compatible endpoint. SDK errors become ModelCallError (status, Retry-After) so the
 * pool's retry and breaker rules never see an SDK type; a prompt or completion the content filter
 * blocked becomes ContentFilteredError (azure-content-filter.ts reads Azure's shapes).
 */
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AzureOpenAI,
} from 'openai';
import type { DeploymentConfig } from '../deployment.js';
import { ContentFilteredError, ModelCallError, parseRetryAfter } from '../model-errors.js';
import { completionFilterOf, promptFilterOf } from './azure-content-filter.js';
import type { CompletionRequest, ModelProvider } from '../model-pool.js';

export const DEFAULT_GITHUB_MODELS_URL = 'https://models.github.ai/inference';
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export interface ProviderKeys {
  azureApiKey?: string;
  githubModelsToken?: string;
  openaiApiKey?: string;
  azureApiVersion?: string;
}

export class OpenAIProvider implements ModelProvider {
  private readonly client: OpenAI;

  constructor(
    private readonly config: DeploymentConfig,
    keys: ProviderKeys,
  ) {
    // maxRetries 0: the pool retries (with Retry-After, failover to another deployment and one
    // deadline); SDK retries underneath would multiply attempts and hide failures from the breaker.
    // timeout: the pool's per-call timeout aborts through the signal; this is only a backstop.
    const common = { maxRetries: 0, timeout: 10 * 60_000 };
    if (config.provider === 'azure') {
      this.client = new AzureOpenAI({
        ...common,
        endpoint: config.endpoint,
        deployment: config.deployment ?? config.model,
        apiVersion: config.apiVersion ?? keys.azureApiVersion ?? DEFAULT_AZURE_API_VERSION,
        apiKey: keys.azureApiKey ?? 'missing-AZURE_OPENAI_API_KEY',
      });
    } else {
      const apiKey = config.provider === 'github' ? keys.githubModelsToken : keys.openaiApiKey;
      this.client = new OpenAI({
        ...common,
        baseURL: config.endpoint,
        apiKey: apiKey ?? 'not-set',
      });
    }
  }

  async complete(request: CompletionRequest, signal: AbortSignal) {
    try {
      const response = await this.client.chat.completions.create(
        {
          model: this.config.model,
          messages: request.messages,
          max_tokens: request.maxTokens,
          temperature: request.temperature,
        },
        { signal },
      );
      const filtered = completionFilterOf(response);
      if (filtered)
        throw new ContentFilteredError(this.config.name, filtered.stage, filtered.categories);
      return {
        text: response.choices[0]?.message?.content ?? '',
        model: response.model ?? this.config.model,
        usage: {
          promptTokens: response.usage?.prompt_tokens ?? 0,
          completionTokens: response.usage?.completion_tokens ?? 0,
        },
      };
    } catch (error) {
      throw toModelCallError(error, this.config.name);
    }
  }
}

export function toModelCallError(error: unknown, name: string): unknown {
  // An abort is the pool's own decision (timeout or deadline): it knows why, so pass it through.
  if (error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionTimeoutError)
    return new ModelCallError(`${name}: timed out`, 'timeout');
  if (error instanceof APIConnectionError)
    return new ModelCallError(`${name}: could not connect (${error.message})`, 'network');
  if (error instanceof APIError && error.status !== undefined) {
    const filtered = error.status === 400 ? promptFilterOf(error.error) : undefined;
    if (filtered)
      return new ContentFilteredError(name, filtered.stage, filtered.categories, error.status);
    const headers = error.headers as Record<string, string | null | undefined> | undefined;
    const retryAfterMs = parseRetryAfter({ get: (n) => headers?.[n] }, Date.now());
    return new ModelCallError(
      `${name}: HTTP ${error.status} ${firstLine(error.message)}`,
      'http',
      error.status,
      retryAfterMs,
    );
  }
  return error;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 200);
}
