/**
 * The one code path for subscribe, unsubscribe and list, whether a person typed the command or a
 * planner chose the action: parse with the chat syntax, apply through the SubscriptionBook, answer
 * in Reynolds's voice.
 */
import { subscribedLine, syntaxErrorLine, unsubscribedLine } from '../../persona/replies.js';
import type { SubscriptionBook } from '../../routing/subscriptions/subscription-book.js';
import {
  formatSubscription,
  formatSubscriptionList,
  parseSubscriptionCommand,
} from '../../routing/subscriptions/subscription-syntax.js';
import { scopeName } from '../../routing/subscriptions/subscription.js';

export interface SubscriptionOutcome {
  text: string;
  /** False when the command did not parse (nothing changed). */
  ok: boolean;
}

export async function runSubscriptionCommand(
  subscriptions: SubscriptionBook,
  where: { tenantId: string; conversationId: string; userId: string },
  commandText: string,
): Promise<SubscriptionOutcome> {
  const parsed = parseSubscriptionCommand(commandText);
  if (!parsed.ok) return { ok: false, text: syntaxErrorLine(parsed.error) };
  const command = parsed.command;
  if (command.kind === 'list') {
    return {
      ok: true,
      text: formatSubscriptionList(await subscriptions.list(where.tenantId, where.conversationId)),
    };
  }
  if (command.kind === 'subscribe') {
    const outcome = await subscriptions.subscribe(
      where.tenantId,
      where.conversationId,
      command,
      where.userId,
    );
    return {
      ok: true,
      text: subscribedLine(outcome.status, `\`${formatSubscription(outcome.subscription)}\``),
    };
  }
  const outcome = await subscriptions.unsubscribe(
    where.tenantId,
    where.conversationId,
    command.scope,
    command.features,
  );
  return {
    ok: true,
    text: unsubscribedLine(
      outcome.status,
      scopeName(command.scope),
      outcome.status === 'reduced' ? outcome.subscription.features.join(', ') : undefined,
    ),
  };
}
