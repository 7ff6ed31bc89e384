/**
 * Which chat model the model-backed planner talks to, from configuration: CHAT_MODEL_* first, then
 * the Azure OpenAI resource (AZURE_OPENAI_ENDPOINT + AZURE_OPENAI_API_KEY +
 * AZURE_OPENAI_CHAT_DEPLOYMENT), then GitHub Models (GITHUB_MODELS_TOKEN). None: undefined, and the
 * offline planner answers chat.
 */
import type { Config } from '../config.js';
import type { ChatModelSettings } from '../teams/chat/model-planner.js';

export const GITHUB_MODELS_ENDPOINT = 'https://models.github.ai/inference';

type ChatModelConfig = Pick<
  Config,
  | 'CHAT_MODEL_PROVIDER'
  | 'CHAT_MODEL_ENDPOINT'
  | 'CHAT_MODEL_API_KEY'
  | 'CHAT_MODEL'
  | 'CHAT_MODEL_API_VERSION'
  | 'CHAT_MODEL_TIMEOUT_MS'
  | 'AZURE_OPENAI_ENDPOINT'
  | 'AZURE_OPENAI_API_KEY'
  | 'AZURE_OPENAI_CHAT_DEPLOYMENT'
  | 'GITHUB_MODELS_TOKEN'
  | 'GITHUB_MODELS_CHAT_MODEL'
>;

export function chatModelSettings(config: ChatModelConfig): ChatModelSettings | undefined {
  const common = {
    apiVersion: config.CHAT_MODEL_API_VERSION,
    timeoutMs: config.CHAT_MODEL_TIMEOUT_MS,
  };
  if (config.CHAT_MODEL_ENDPOINT && config.CHAT_MODEL) {
    const provider =
      config.CHAT_MODEL_PROVIDER ??
      (/\.openai\.azure\.com|\.cognitiveservices\.azure\.com/i.test(config.CHAT_MODEL_ENDPOINT)
        ? 'azure'
        : 'openai');
    // A local OpenAI-compatible server may want no key; the SDK insists on one.
    return {
      provider,
      endpoint: config.CHAT_MODEL_ENDPOINT,
      apiKey: config.CHAT_MODEL_API_KEY ?? 'none',
      model: config.CHAT_MODEL,
      source: 'CHAT_MODEL',
      ...common,
    };
  }
  if (
    config.AZURE_OPENAI_ENDPOINT &&
    config.AZURE_OPENAI_API_KEY &&
    config.AZURE_OPENAI_CHAT_DEPLOYMENT
  ) {
    return {
      provider: 'azure',
      endpoint: config.AZURE_OPENAI_ENDPOINT,
      apiKey: config.AZURE_OPENAI_API_KEY,
      model: config.AZURE_OPENAI_CHAT_DEPLOYMENT,
      source: 'AZURE_OPENAI',
      ...common,
    };
  }
  if (config.GITHUB_MODELS_TOKEN) {
    return {
      provider: 'openai',
      endpoint: GITHUB_MODELS_ENDPOINT,
      apiKey: config.GITHUB_MODELS_TOKEN,
      model: config.GITHUB_MODELS_CHAT_MODEL,
      source: 'GITHUB_MODELS',
      ...common,
    };
  }
  return undefined;
}
