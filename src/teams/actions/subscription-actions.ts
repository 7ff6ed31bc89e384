/**
 * subscribe, unsubscribe, list_subscriptions and digest_now. The first three build the same
 * command text a person would type and run it through runSubscriptionCommand, so a planner can
 * never subscribe in a way the chat syntax would refuse.
 */
import { digestNotAvailableLine } from '../../persona/chat-replies.js';
import { digestQueuedLine } from '../../persona/replies.js';
import { runSubscriptionCommand } from './subscription-commands.js';
import { type ActionParameters, type ChatAction, stringParam, textReply } from './chat-action.js';

/** Features and filters may come as a list or as one space-separated string. */
function words(parameters: ActionParameters, name: string): string[] {
  const value = parameters[name];
  if (Array.isArray(value))
    return value
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  const text = stringParam(parameters, name);
  return text ? [text] : [];
}

function subscriptionAction(verb: 'subscribe' | 'unsubscribe'): ChatAction {
  return {
    name: verb,
    async run(scope, parameters, deps) {
      const repo = stringParam(parameters, 'repo');
      const extras =
        verb === 'subscribe'
          ? [...words(parameters, 'features'), ...words(parameters, 'filters')]
          : words(parameters, 'features');
      // The parser explains a missing repository better than we could here.
      const outcome = await runSubscriptionCommand(
        deps.subscriptions,
        scope,
        [verb, repo ?? '', ...extras].join(' ').trim(),
      );
      return textReply(outcome.text);
    },
  };
}

export const subscribeAction = subscriptionAction('subscribe');
export const unsubscribeAction = subscriptionAction('unsubscribe');

export const listSubscriptionsAction: ChatAction = {
  name: 'list_subscriptions',
  async run(scope, _parameters, deps) {
    return textReply(
      (await runSubscriptionCommand(deps.subscriptions, scope, 'subscriptions')).text,
    );
  },
};

export const digestNowAction: ChatAction = {
  name: 'digest_now',
  async run(scope, _parameters, deps) {
    if (!deps.digest) return textReply(digestNotAvailableLine());
    await deps.digest.digestNow(scope.tenantId, scope.conversationId);
    return textReply(digestQueuedLine());
  },
};
