/**
 * The Teams side: a Teams AI Library Application behind a TeamsAdapter. It captures installs (so
 * Reynolds can post proactively), answers help and status, and manages subscriptions from chat.
 * The planner with actions and the model pool come later; these commands are the actions' core.
 */
import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, ConfigurationServiceClientCredentialFactory, MemoryStorage, TurnContext, type Activity } from 'botbuilder';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { errorLine, greetingLine, helpLines, statusLine, subscribedLine, syntaxErrorLine, unsubscribedLine, welcomeLine, wrongTenantLine } from '../persona/replies.js';
import type { SubscriptionBook } from '../routing/subscription-book.js';
import type { NoiseChat } from './noise-chat.js';
import { formatSubscription, formatSubscriptionList, parseSubscriptionCommand } from '../routing/subscription-syntax.js';
import { scopeName } from '../routing/subscription.js';
import type { ConversationBook, ConversationScope } from './conversation-book.js';

export interface StatusSource {
  status(): Promise<{ store: string; ready: boolean; pending: number; processing: number; failed: number }>;
}

export interface ReynoldsTeamsApp {
  adapter: TeamsAdapter;
  app: Application<TurnState>;
}

export interface TeamsAppDeps {
  logger: Logger;
  status: StatusSource;
  conversations: ConversationBook;
  subscriptions: SubscriptionBook;
  /** Quiet mode, time zone and digest commands (noise-chat.ts); absent: they are not offered. */
  noise?: NoiseChat;
}

const SUBSCRIPTION_COMMAND = /^\s*(subscribe|unsubscribe|subscriptions|list)\b/i;

export function createTeamsApp(config: Config, deps: TeamsAppDeps): ReynoldsTeamsApp {
  const credentials = {
    MicrosoftAppId: config.BOT_ID ?? '',
    MicrosoftAppPassword: config.BOT_PASSWORD ?? '',
    MicrosoftAppType: config.BOT_TYPE,
    MicrosoftAppTenantId: config.BOT_TENANT_ID ?? '',
  };
  // With no BOT_ID the factory gets no app type (SingleTenant would demand an id) and the adapter
  // skips authentication; the route only lets loopback callers in then.
  const adapter = new TeamsAdapter({}, new ConfigurationServiceClientCredentialFactory(config.localMode ? {} : credentials));
  adapter.onTurnError = async (context, error) => {
    deps.logger.error({ err: error, activityType: context.activity.type, conversation: context.activity.conversation?.id }, 'turn failed');
    if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity(errorLine()).catch(() => undefined);
    }
  };

  const app = new Application<TurnState>({
    adapter,
    botAppId: config.BOT_ID ?? '',
    storage: new MemoryStorage(),
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });

  /**
   * The tenant an activity belongs to. A single-tenant bot serves its own tenant only; in local
   * mode every activity belongs to the local tenant, so the Playground's mock tenant and the
   * webhook deliveries meet.
   */
  const tenantOf = (activity: Activity): string | undefined => {
    if (config.localMode) return config.tenantId;
    const tenant = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    return tenant === config.tenantId ? tenant : undefined;
  };

  const remember = async (context: TurnContext) => {
    const tenantId = tenantOf(context.activity);
    if (!tenantId) return undefined;
    const channelData = context.activity.channelData as { channel?: { name?: string }; team?: { id?: string; name?: string } } | undefined;
    const type = context.activity.conversation?.conversationType;
    const scope: ConversationScope = type === 'channel' ? 'channel' : type === 'groupChat' ? 'groupChat' : 'personal';
    const reference = TurnContext.getConversationReference(context.activity);
    // Proactive posts to a channel go to the channel itself, not to the thread the user wrote in.
    if (reference.conversation?.id) reference.conversation = { ...reference.conversation, id: reference.conversation.id.split(';messageid=')[0]! };
    return deps.conversations.remember(tenantId, reference, { scope, name: channelData?.channel?.name ?? channelData?.team?.name ?? context.activity.conversation?.name, teamId: channelData?.team?.id });
  };

  const forget = async (context: TurnContext) => {
    const tenantId = tenantOf(context.activity);
    const conversationId = context.activity.conversation?.id?.split(';messageid=')[0];
    if (!tenantId || !conversationId) return;
    await deps.conversations.forget(tenantId, conversationId);
    const removed = await deps.subscriptions.removeConversation(tenantId, conversationId);
    deps.logger.info({ conversation: conversationId, subscriptionsRemoved: removed }, 'Reynolds was removed from a conversation');
  };

  app.turn('beforeTurn', async (context) => {
    if (context.activity.type === ActivityTypes.Message) {
      if (!tenantOf(context.activity)) {
        await context.sendActivity(wrongTenantLine());
        return false;
      }
      await remember(context); // keeps the reference fresh (service URLs move)
    }
    return true;
  });

  app.conversationUpdate('membersAdded', async (context: TurnContext) => {
    const botId = context.activity.recipient.id;
    if (!context.activity.membersAdded?.some((m) => m.id === botId)) return;
    if (await remember(context)) await context.sendActivity(welcomeLine());
  });

  app.conversationUpdate('membersRemoved', async (context: TurnContext) => {
    const botId = context.activity.recipient.id;
    if (context.activity.membersRemoved?.some((m) => m.id === botId)) await forget(context);
  });

  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    const action = context.activity.action ?? '';
    if (action.startsWith('remove')) await forget(context);
    else if (action.startsWith('add')) await remember(context);
  });

  app.message(/^\s*help\s*$/i, async (context) => {
    await context.sendActivity(helpLines());
  });

  app.message(/^\s*status\s*$/i, async (context) => {
    await context.sendActivity(statusLine(await deps.status.status()));
  });

  app.message(SUBSCRIPTION_COMMAND, async (context) => {
    const tenantId = tenantOf(context.activity)!;
    const conversationId = context.activity.conversation.id.split(';messageid=')[0]!;
    const parsed = parseSubscriptionCommand(context.activity.text ?? '');
    if (!parsed.ok) {
      await context.sendActivity(syntaxErrorLine(parsed.error));
      return;
    }
    const command = parsed.command;
    if (command.kind === 'list') {
      await context.sendActivity(formatSubscriptionList(await deps.subscriptions.list(tenantId, conversationId)));
      return;
    }
    if (command.kind === 'subscribe') {
      const who = context.activity.from?.aadObjectId ?? context.activity.from?.id ?? 'unknown';
      const outcome = await deps.subscriptions.subscribe(tenantId, conversationId, command, who);
      await context.sendActivity(subscribedLine(outcome.status, `\`${formatSubscription(outcome.subscription)}\``));
      return;
    }
    const outcome = await deps.subscriptions.unsubscribe(tenantId, conversationId, command.scope, command.features);
    await context.sendActivity(unsubscribedLine(outcome.status, scopeName(command.scope), outcome.status === 'reduced' ? outcome.subscription.features.join(', ') : undefined));
  });

  const noise = deps.noise;
  if (noise) {
    app.message(noise.pattern, async (context) => {
      const conversationId = context.activity.conversation.id.split(';messageid=')[0]!;
      await context.sendActivity(await noise.answer(tenantOf(context.activity)!, conversationId, context.activity.text ?? ''));
    });
  }

  app.activity(ActivityTypes.Message, async (context) => {
    await context.sendActivity(greetingLine(context.activity.from?.name));
  });

  return { adapter, app };
}
