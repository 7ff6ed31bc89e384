/**
 * Registers the card-action verbs (CARD_VERBS) on the Teams AI application: each click is answered
 * by `answerCardAction` (card-actions.ts), and an answer meant for everyone also replaces the alert
 * card in the conversation.
 */
import type { Application, TurnState } from '@microsoft/teams-ai';
import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { Logger } from '../../log.js';
import type { AdaptiveCardJson } from '../cards/alert-card.js';
import {
  answerCardAction,
  CARD_VERBS,
  type CardActionDeps,
  type CardActionsInFlight,
} from './card-actions.js';

export function registerCardActions(app: Application<TurnState>, deps: CardActionDeps): void {
  const inFlight: CardActionsInFlight = new Map();
  for (const verb of CARD_VERBS) {
    app.adaptiveCards.actionExecute(verb, async (context, _state, raw: Record<string, unknown>) => {
      const answer = await answerCardAction(context, verb, raw, deps, inFlight);
      if (answer.forEveryone) await showToEveryone(context, answer.card, deps.logger);
      return answer.card;
    });
  }
}

/** Everyone in the conversation sees the new state, not just the person who clicked. */
async function showToEveryone(
  context: TurnContext,
  card: AdaptiveCardJson,
  logger: Logger,
): Promise<void> {
  if (!context.activity.replyToId) return;
  const update = MessageFactory.attachment(CardFactory.adaptiveCard(card));
  update.id = context.activity.replyToId;
  await context
    .updateActivity(update)
    .catch((err: unknown) =>
      logger.warn(
        { err },
        'could not update the alert card for everyone; the person who clicked sees the result',
      ),
    );
}
