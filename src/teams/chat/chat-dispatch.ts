/**
 * Chat actions inside Teams AI: registers each action with `app.ai.action`, turns its reply into
 * a message (an Adaptive Card with text, or text), remembers the PR or issue last discussed in
 * the conversation state, and handles teams-ai's default actions (unknown action, flagged input or
 * output, too many steps, model errors) in Reynolds's voice. The plain commands call `answer`.
 */
import { AI, type Application, type TurnState } from '@microsoft/teams-ai';
import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { Logger } from '../../log.js';
import {
  capabilitiesLine,
  flaggedLine,
  modelDownLine,
  tooManyStepsLine,
} from '../../persona/chat-replies.js';
import { errorLine } from '../../persona/replies.js';
import type {
  ActionParameters,
  ActionReply,
  ActionScope,
  ChatAction,
  ChatActionDeps,
} from '../actions/chat-action.js';
import { formatReference, parseReference } from '../actions/github-reference.js';
import { CHAT_ACTIONS, REFERENCE_ACTIONS } from '../actions/index.js';
import { CHAT_HISTORY } from './model-planner.js';

/** Where the last PR or issue discussed is kept (conversation state, so it survives a restart). */
export const LAST_REFERENCE = 'conversation.lastReference';

export interface ChatDispatch {
  /** Runs an action by name and answers the user; returns what the model sees. */
  answer(
    context: TurnContext,
    state: TurnState,
    name: string,
    parameters: ActionParameters,
  ): Promise<string>;
}

export function registerChatActions(
  app: Application<TurnState>,
  deps: ChatActionDeps,
  scopeOf: (context: TurnContext) => ActionScope | undefined,
  logger: Logger,
  actions: readonly ChatAction[] = CHAT_ACTIONS,
): ChatDispatch {
  const byName = new Map(actions.map((action) => [action.name, action]));

  const answer = async (
    context: TurnContext,
    state: TurnState,
    name: string,
    parameters: ActionParameters,
  ): Promise<string> => {
    const action = byName.get(name);
    const scope = scopeOf(context);
    if (!action || !scope) {
      await context.sendActivity(capabilitiesLine());
      return `There is no action ${name}; Reynolds showed what it can do.`;
    }
    const safeParameters: ActionParameters =
      parameters !== null && typeof parameters === 'object' && !Array.isArray(parameters)
        ? { ...parameters }
        : {};
    if (
      REFERENCE_ACTIONS.has(name) &&
      (safeParameters.reference === undefined || safeParameters.reference === '')
    ) {
      const last = state.getValue(LAST_REFERENCE);
      if (typeof last === 'string') safeParameters.reference = last;
    }
    let reply: ActionReply;
    try {
      reply = await action.run(scope, safeParameters, deps);
    } catch (error) {
      logger.error(
        { err: error, action: name, conversation: scope.conversationId },
        'a chat action failed',
      );
      await context.sendActivity(errorLine());
      return `The ${name} action failed on Reynolds's side; the user was told to try again.`;
    }
    if (REFERENCE_ACTIONS.has(name) && reply.card) {
      const parsed = parseReference(String(safeParameters.reference ?? ''), safeParameters.number);
      if (parsed.ok) state.setValue(LAST_REFERENCE, formatReference(parsed.reference));
    }
    await context.sendActivity(
      reply.card
        ? MessageFactory.attachment(CardFactory.adaptiveCard(reply.card), reply.text)
        : MessageFactory.text(reply.text ?? reply.summary),
    );
    return reply.summary;
  };

  for (const action of actions) {
    app.ai.action(
      action.name,
      async (context: TurnContext, state: TurnState, parameters: ActionParameters | undefined) =>
        answer(context, state, action.name, parameters ?? {}),
    );
  }

  // A stopped plan leaves the model's tool call unanswered in its history, which the API would
  // refuse on the next turn; the history goes with it.
  const stop = (state: TurnState) => {
    state.deleteValue(CHAT_HISTORY);
    return AI.StopCommandName;
  };
  app.ai.action(
    AI.UnknownActionName,
    async (context: TurnContext, state: TurnState, _plan: unknown, action?: string) => {
      logger.warn({ action }, 'the planner chose an action that does not exist');
      await context.sendActivity(capabilitiesLine());
      return stop(state);
    },
  );
  app.ai.action(AI.FlaggedInputActionName, async (context: TurnContext, state: TurnState) => {
    await context.sendActivity(flaggedLine());
    return stop(state);
  });
  app.ai.action(AI.FlaggedOutputActionName, async (context: TurnContext, state: TurnState) => {
    await context.sendActivity(flaggedLine());
    return stop(state);
  });
  app.ai.action(AI.TooManyStepsActionName, async (context: TurnContext, state: TurnState) => {
    await context.sendActivity(tooManyStepsLine());
    return stop(state);
  });
  app.ai.action(
    AI.HttpErrorActionName,
    async (context: TurnContext, state: TurnState, error: unknown) => {
      logger.warn({ err: error }, 'the chat planner failed');
      await context.sendActivity(modelDownLine());
      return stop(state);
    },
  );

  return { answer };
}
