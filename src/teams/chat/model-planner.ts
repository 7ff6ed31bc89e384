/**
 * The model-backed planner: teams-ai's ActionPlanner over OpenAIModel (Azure OpenAI, or any
 * OpenAI-compatible endpoint such as GitHub Models), with the prompt in src/prompts/chat (Reynolds's
 * voice, the `tools` augmentation, one tool per chat action). FallbackPlanner puts the offline
 * planner behind it, so a model that is down costs the user wit, not answers.
 */
import {
  type AI,
  ActionPlanner,
  type ChatCompletionAction,
  OpenAIModel,
  PromptManager,
  type Plan,
  type Planner,
  type PromptTemplate,
  type TurnState,
} from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../log.js';
import { modelDownLine } from '../../persona/chat-replies.js';

/** Which chat model the planner talks to (composition/chat-model-config.ts reads it from configuration). */
export interface ChatModelSettings {
  provider: 'azure' | 'openai';
  endpoint: string;
  apiKey: string;
  /** Model, or Azure deployment. */
  model: string;
  apiVersion: string;
  timeoutMs: number;
  /** For logs: where the settings came from. */
  source: 'CHAT_MODEL' | 'AZURE_OPENAI' | 'GITHUB_MODELS';
}

export const CHAT_PROMPT = 'chat';
/** The history teams-ai keeps for the `chat` prompt (`conversation.<prompt>_history`). */
export const CHAT_HISTORY = `conversation.${CHAT_PROMPT}_history`;
const FELL_BACK = 'temp.reynoldsOffline';

/**
 * The prompts folder: beside the compiled code (dist/src/prompts, copied by `npm run build`), or
 * in the package's src/prompts when running from source or when the copy is missing.
 */
export function promptsFolder(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, '../prompts'),
    path.resolve(here, '../../../src/prompts'),
    path.resolve(here, '../../src/prompts'),
  ];
  const found = candidates.find((folder) =>
    existsSync(path.join(folder, CHAT_PROMPT, 'config.json')),
  );
  if (!found)
    throw new Error(
      `the chat prompt folder was not found (looked in ${candidates.join(', ')}); run npm run build, which copies src/prompts`,
    );
  return found;
}

export function createChatModel(settings: ChatModelSettings): OpenAIModel {
  const clientOptions = { timeout: settings.timeoutMs, maxRetries: 1 };
  if (settings.provider === 'azure') {
    return new OpenAIModel({
      azureApiKey: settings.apiKey,
      azureEndpoint: settings.endpoint,
      azureDefaultDeployment: settings.model,
      // OpenAIModel would default to a 2023 version that lacks tools.
      azureApiVersion: settings.apiVersion,
      useSystemMessages: true,
      clientOptions,
    });
  }
  return new OpenAIModel({
    apiKey: settings.apiKey,
    endpoint: settings.endpoint,
    defaultModel: settings.model,
    useSystemMessages: true,
    clientOptions,
  });
}

/**
 * `extraActions`: tools offered beside actions.json's (other MCP servers' tools, external-tools.ts),
 * asked for on every turn because servers come and go.
 */
export function createActionPlanner<TState extends TurnState>(
  settings: ChatModelSettings,
  folder = promptsFolder(),
  extraActions?: () => ChatCompletionAction[],
): ActionPlanner<TState> {
  const prompts = new PromptManager({ promptsFolder: folder });
  if (!extraActions)
    return new ActionPlanner<TState>({
      model: createChatModel(settings),
      prompts,
      defaultPrompt: CHAT_PROMPT,
    });
  let builtIn: ChatCompletionAction[] | undefined;
  const withExtras = async (): Promise<PromptTemplate> => {
    // The planner completes the prompt manager's cached template by name, not the one returned
    // here, so the cached one is the one that gets the extra actions (built-in ones first).
    const template = await prompts.getPrompt(CHAT_PROMPT);
    builtIn ??= template.actions ?? [];
    template.actions = [...builtIn, ...extraActions()];
    return template;
  };
  return new ActionPlanner<TState>({
    model: createChatModel(settings),
    prompts,
    defaultPrompt: withExtras,
  });
}

/**
 * Asks the model-backed planner first; when the model fails (down, timing out, refusing), says so
 * once in Reynolds's voice and lets the offline planner answer the same message.
 */
export class FallbackPlanner<TState extends TurnState = TurnState> implements Planner<TState> {
  constructor(
    private readonly primary: Planner<TState>,
    private readonly offline: Planner<TState>,
    private readonly logger: Logger,
  ) {}

  async beginTask(context: TurnContext, state: TState, ai: AI<TState>): Promise<Plan> {
    try {
      return await this.primary.beginTask(context, state, ai);
    } catch (error) {
      this.logger.warn(
        { err: error, conversation: context.activity.conversation?.id },
        'the chat model failed; the offline planner answers this message',
      );
      state.setValue(FELL_BACK, true);
      await context.sendActivity(modelDownLine());
      return this.offline.beginTask(context, state, ai);
    }
  }

  async continueTask(context: TurnContext, state: TState, ai: AI<TState>): Promise<Plan> {
    if (state.getValue(FELL_BACK) === true) return this.offline.continueTask(context, state, ai);
    try {
      return await this.primary.continueTask(context, state, ai);
    } catch (error) {
      // The action has already answered; only the model's follow-up is lost. A tool call left
      // without its answer would make every later request fail, so the history goes too.
      this.logger.warn(
        { err: error, conversation: context.activity.conversation?.id },
        'the chat model failed after an action; history reset',
      );
      state.deleteValue(CHAT_HISTORY);
      return { type: 'plan', commands: [] };
    }
  }
}
