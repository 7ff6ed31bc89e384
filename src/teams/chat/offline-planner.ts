/**
 * The planner used when no chat model is configured: teams-ai's `Planner` interface over the
 * intent rules in chat-intents.ts, so every action works on a laptop with no keys. One message,
 * one plan: a DO for the action the rules chose, or a SAY (greeting, or what Reynolds can do).
 * An action's output ends the task (continueTask plans nothing), because the action has already
 * answered the user.
 */
import type {
  AI,
  Plan,
  Planner,
  PredictedDoCommand,
  PredictedSayCommand,
  TurnState,
} from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { capabilitiesLine } from '../../persona/chat-replies.js';
import { greetingLine } from '../../persona/replies.js';
import { USE_TOOL_ACTION, matchIntent } from './chat-intents.js';

export class OfflinePlanner<TState extends TurnState = TurnState> implements Planner<TState> {
  async beginTask(context: TurnContext, state: TState, _ai: AI<TState>): Promise<Plan> {
    const input =
      typeof state.temp.input === 'string' ? state.temp.input : (context.activity.text ?? '');
    const intent = matchIntent(input);
    if (intent.kind === 'tool') {
      const parameters = {
        server: intent.server,
        tool: intent.tool,
        arguments: intent.arguments,
        ...(intent.argumentsError ? { argumentsError: intent.argumentsError } : {}),
      };
      const command: PredictedDoCommand = { type: 'DO', action: USE_TOOL_ACTION, parameters };
      return { type: 'plan', commands: [command] };
    }
    if (intent.kind === 'action') {
      const command: PredictedDoCommand = {
        type: 'DO',
        action: intent.action,
        parameters: intent.parameters,
      };
      return { type: 'plan', commands: [command] };
    }
    const text =
      intent.kind === 'greeting' ? greetingLine(context.activity.from?.name) : capabilitiesLine();
    const say: PredictedSayCommand = {
      type: 'SAY',
      response: { role: 'assistant', content: text },
    };
    return { type: 'plan', commands: [say] };
  }

  async continueTask(): Promise<Plan> {
    return { type: 'plan', commands: [] };
  }
}
