/**
 * Chat with a planner: the model-backed planner when a chat model is configured (falling back to
 * the offline planner when the model fails), else the offline planner; and the chat actions
 * registered as the planner's actions (chat-dispatch.ts). The conversation state lives in the store.
 */
import type { Application, Planner, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import type { Logger } from '../../log.js';
import type { SubscriptionBook } from '../../routing/subscriptions/subscription-book.js';
import type { ActionScope, ChatActionDeps, StatusSource } from '../actions/chat-action.js';
import { registerChatActions, type ChatDispatch } from './chat-dispatch.js';
import { FallbackPlanner, createActionPlanner, type ChatModelSettings } from './model-planner.js';
import { OfflinePlanner } from './offline-planner.js';
import type { ExternalToolDeps } from './external-tools.js';

export interface ChatSetup extends Omit<ChatActionDeps, 'status' | 'subscriptions'> {
  /** The model-backed planner's model; undefined: the offline planner. */
  model?: ChatModelSettings;
  /** Other MCP servers' tools (MCP_SERVERS; external-tools.ts): `use <server>.<tool>`, and offered to the model. */
  external?: Omit<ExternalToolDeps, 'identity' | 'logger' | 'clock'>;
}

/** The planner the Application is built with; `extraActions` are other MCP servers' tools, offered to the model. */
export function chatPlanner(
  model: ChatModelSettings | undefined,
  logger: Logger,
  extraActions?: Parameters<typeof createActionPlanner>[2],
): Planner<TurnState> {
  const offline = new OfflinePlanner();
  return model
    ? new FallbackPlanner(createActionPlanner(model, undefined, extraActions), offline, logger)
    : offline;
}

export interface ChatDeps {
  status: StatusSource;
  subscriptions: SubscriptionBook;
  logger: Logger;
  scopeOf: (context: TurnContext) => ActionScope | undefined;
}

/** Registers the chat actions; the commands use the returned dispatch for help and status. */
export function registerChat(
  app: Application<TurnState>,
  chat: ChatSetup,
  deps: ChatDeps,
): ChatDispatch {
  return registerChatActions(
    app,
    { logger: deps.logger, ...chat, status: deps.status, subscriptions: deps.subscriptions },
    deps.scopeOf,
    deps.logger,
  );
}
