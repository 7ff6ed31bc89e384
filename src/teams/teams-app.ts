/**
 * The Teams side: a Teams AI Library Application behind a TeamsAdapter. It captures installs (so
 * Reynolds can post proactively), answers help and status, and manages subscriptions from chat.
 * With `chat` set, everything else a person says goes to a planner (model-backed or offline) that
 * runs the chat actions (src/teams/actions/), and the conversation state lives in the store.
 */
import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, MemoryStorage, TurnContext, type Activity } from 'botbuilder';
import type { BotFrameworkAuthentication, ServiceClientCredentialsFactory } from 'botframework-connector';
import { createBotAuthentication } from './bot-authentication.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { errorLine, greetingLine, helpLines, statusLine, welcomeLine, wrongTenantLine } from '../persona/replies.js';
import type { SubscriptionBook } from '../routing/subscriptions/subscription-book.js';
import { registerCardActions, type CardActionDeps } from './actions/card-actions.js';
import type { NoiseChat } from './chat/noise-chat.js';
import type { ConversationBook, ConversationScope } from './sending/conversation-book.js';
import type { IdentityBook } from './identity/identity-book.js';
import { registerIdentityCommands } from './identity/identity-commands.js';
import type { ActorOverrides } from '../loops/actor-overrides.js';
import type { GitHubReader } from '../github/github-reader.js';
import { webHostsFor } from '../github/github-links.js';
import { registerMessageExtension } from './message-extension/message-extension.js';
import type { ChatActionDeps } from './actions/chat-action.js';
import { registerChatActions, type ChatDispatch } from './chat/chat-dispatch.js';
import type { StatusSource } from './actions/chat-action.js';
import type { ChatModelSettings } from './chat/model-planner.js';
import { FallbackPlanner, createActionPlanner } from './chat/model-planner.js';
import { OfflinePlanner } from './chat/offline-planner.js';
import { StoreStorage } from './chat/store-storage.js';
import { runSubscriptionCommand } from './actions/subscription-commands.js';

export interface ReynoldsTeamsApp {
  adapter: TeamsAdapter;
  app: Application<TurnState>;
  /** The SDK's token validation, the same the adapter runs (see bot-authentication.ts). */
  authentication: BotFrameworkAuthentication;
}

export interface TeamsAppDeps {
  logger: Logger;
  status: StatusSource;
  conversations: ConversationBook;
  subscriptions: SubscriptionBook;
  /** Who may write to GitHub from Teams (link/allow commands); with `cardActions`, the card buttons work. */
  identity?: IdentityBook;
  /** What admins say about GitHub accounts (`treat <login> as bot|person`), shared with the loop guard. */
  actorOverrides?: ActorOverrides;
  cardActions?: Omit<CardActionDeps, 'identity' | 'tenantOf' | 'logger'>;
  /** GitHub reads for the message extension and link unfurling. */
  github?: GitHubReader;
  /** Chat with actions and planners, state in the store (docs/chat.md); without it, commands only. */
  chat?: ChatSetup;
  /** Replaces the credentials factory built from config (tests: Entra's token endpoint is unreachable). */
  credentialsFactory?: ServiceClientCredentialsFactory;
  /** Quiet mode, time zone and digest commands (noise-chat.ts); absent: they are not offered. */
  noise?: NoiseChat;
}

export interface ChatSetup extends Omit<ChatActionDeps, 'status' | 'subscriptions'> {
  /** The model-backed planner's model; undefined: the offline planner. */
  model?: ChatModelSettings;
}

const SUBSCRIPTION_COMMAND = /^\s*(subscribe|unsubscribe|subscriptions|list)\b/i;

export function createTeamsApp(config: Config, deps: TeamsAppDeps): ReynoldsTeamsApp {
  // With no BOT_ID the factory gets no app type (SingleTenant would demand an id) and the adapter
  // skips authentication; the route only lets loopback callers in then.
  const auth = createBotAuthentication(config, deps.credentialsFactory);
  const adapter = new TeamsAdapter(auth.options, auth.credentialsFactory);
  adapter.onTurnError = async (context, error) => {
    deps.logger.error({ err: error, activityType: context.activity.type, conversation: context.activity.conversation?.id }, 'turn failed');
    if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity(errorLine()).catch(() => undefined);
    }
  };

  const chat = deps.chat;
  const offline = new OfflinePlanner();
  const planner = chat?.model ? new FallbackPlanner(createActionPlanner(chat.model), offline, deps.logger) : offline;
  const app = new Application<TurnState>({
    adapter,
    botAppId: config.BOT_ID ?? '',
    storage: chat ? new StoreStorage(chat.store, config.tenantId, chat.clock) : new MemoryStorage(),
    ...(chat ? { ai: { planner } } : {}),
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
    await deps.identity?.forgetConversation(tenantId, conversationId);
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
    if (await remember(context)) {
      await deps.identity?.noteInstaller(tenantOf(context.activity)!, context.activity.conversation.id.split(';messageid=')[0]!, context.activity.from?.aadObjectId);
      await context.sendActivity(welcomeLine());
    }
  });

  app.conversationUpdate('membersRemoved', async (context: TurnContext) => {
    const botId = context.activity.recipient.id;
    if (context.activity.membersRemoved?.some((m) => m.id === botId)) await forget(context);
  });

  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    const action = context.activity.action ?? '';
    if (action.startsWith('remove')) await forget(context);
    else if (action.startsWith('add') && (await remember(context))) {
      await deps.identity?.noteInstaller(tenantOf(context.activity)!, context.activity.conversation.id.split(';messageid=')[0]!, context.activity.from?.aadObjectId);
    }
  });

  const scopeOf = (context: TurnContext) => {
    const tenantId = tenantOf(context.activity);
    const conversationId = context.activity.conversation?.id?.split(';messageid=')[0];
    if (!tenantId || !conversationId) return undefined;
    const userId = context.activity.from?.aadObjectId ?? context.activity.from?.id ?? 'unknown';
    return { tenantId, conversationId, userId, userName: context.activity.from?.name };
  };
  const dispatch: ChatDispatch | undefined = chat ? registerChatActions(app, { logger: deps.logger, ...chat, status: deps.status, subscriptions: deps.subscriptions }, scopeOf, deps.logger) : undefined;

  // A message with no text (only an @mention, or an attachment) never reaches the planner: the
  // Teams AI library only plans for text. It still deserves an answer.
  app.message(
    async (context) => (context.activity.text ?? '').trim() === '',
    async (context) => {
      await context.sendActivity(greetingLine(context.activity.from?.name));
    },
  );

  app.message(/^\s*help\s*$/i, async (context, state) => {
    if (dispatch) await dispatch.answer(context, state, 'help', {});
    else await context.sendActivity(helpLines());
  });

  app.message(/^\s*status\s*$/i, async (context, state) => {
    if (dispatch) await dispatch.answer(context, state, 'status', {});
    else await context.sendActivity(statusLine(await deps.status.status()));
  });

  app.message(SUBSCRIPTION_COMMAND, async (context) => {
    const outcome = await runSubscriptionCommand(deps.subscriptions, scopeOf(context)!, context.activity.text ?? '');
    await context.sendActivity(outcome.text);
  });

  if (deps.identity) {
    const tenantOfContext = (context: TurnContext) => tenantOf(context.activity);
    registerIdentityCommands(app, { identity: deps.identity, tenantOf: tenantOfContext, actors: deps.actorOverrides });
    if (deps.cardActions) registerCardActions(app, { ...deps.cardActions, identity: deps.identity, tenantOf: tenantOfContext, logger: deps.logger });
  }
  const noise = deps.noise;
  if (noise) {
    // With chat, `digest now` is the chat's digest action (same digests); the settings stay here.
    const isNoiseCommand = async (context: TurnContext) => {
      const text = context.activity.text ?? '';
      return noise.pattern.test(text) && !(dispatch && /^\s*digest\s+now\b/i.test(text));
    };
    app.message(isNoiseCommand, async (context) => {
      const conversationId = context.activity.conversation.id.split(';messageid=')[0]!;
      await context.sendActivity(await noise.answer(tenantOf(context.activity)!, conversationId, context.activity.text ?? ''));
    });
  }

  // With chat, the planner answers everything else (greetings included); without, a greeting.
  if (!chat) {
    app.activity(ActivityTypes.Message, async (context) => {
      await context.sendActivity(greetingLine(context.activity.from?.name));
    });
  }

  if (deps.github) {
    registerMessageExtension(app, {
      github: deps.github,
      subscriptions: deps.subscriptions,
      tenantOf,
      linkHosts: webHostsFor(config.GITHUB_API_URL),
      onError: (err, what) => deps.logger.error({ err, what }, 'message extension failed; answered with a notice card'),
    });
  }

  return { adapter, app, authentication: auth.authentication };
}
