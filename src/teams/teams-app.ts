/**
 * The Teams side: a Teams AI Library Application behind a TeamsAdapter. It captures installs (so
 * Reynolds can post proactively), answers help and status, and manages subscriptions from chat.
 * With `chat` set, everything else a person says goes to a planner (model-backed or offline) that
 * runs the chat actions (src/teams/actions/), and the conversation state lives in the store.
 * This file builds the Application; each concern registers its own routes (register-*.ts).
 */
import type { ActorOverrides } from '../loops/actor-overrides.js';
import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, MemoryStorage } from 'botbuilder';
import type {
  BotFrameworkAuthentication,
  ServiceClientCredentialsFactory,
} from 'botframework-connector';
import { createBotAuthentication, type BotAuthSettings } from './bot-authentication.js';
import type { Logger } from '../log.js';
import { errorLine } from '../persona/replies.js';
import type { SubscriptionBook } from '../routing/subscriptions/subscription-book.js';
import type { CardActionDeps } from './actions/card-actions.js';
import { registerCardActions } from './actions/register-card-actions.js';
import { actionScopeOf } from './actions/action-scope-of.js';
import type { StatusSource } from './actions/chat-action.js';
import type { NoiseChat } from './chat/noise-chat.js';
import type { OrchestrationChat } from './chat/orchestration-chat.js';
import { chatPlanner, registerChat, type ChatSetup } from './chat/register-chat.js';
import { StoreStorage } from './chat/store-storage.js';
import { registerExternalTools, type ExternalTools } from './chat/external-tools.js';
import type { ConversationBook } from './sending/conversation-book.js';
import type { IdentityBook } from './identity/identity-book.js';
import type { GitHubReader } from '../github/github-reader.js';
import { registerMessageExtension } from './message-extension/message-extension.js';
import { registerCommands } from './register-commands.js';
import { registerInstallations } from './register-installations.js';
import { servedTenant } from './served-tenant.js';
import type { SignInService } from '../identity/sign-in-service.js';

export interface ReynoldsTeamsApp {
  adapter: TeamsAdapter;
  app: Application<TurnState>;
  /** The SDK's token validation, the same the adapter runs (see bot-authentication.ts). */
  authentication: BotFrameworkAuthentication;
}

/** Who the bot is and which tenant it serves (src/composition/teams-app-settings.ts reads them from config). */
export interface TeamsAppSettings {
  /** The bot's app id; '' in local mode. */
  botAppId: string;
  /** The one tenant Reynolds serves ('local' in local mode). */
  tenantId: string;
  /** No bot registration: every activity belongs to the local tenant. */
  localMode: boolean;
  auth: BotAuthSettings;
  /** Web hosts whose pasted links the message extension unfurls (github.com, and the GHES host). */
  linkHosts: readonly string[];
}

export interface TeamsAppDeps {
  logger: Logger;
  status: StatusSource;
  conversations: ConversationBook;
  subscriptions: SubscriptionBook;
  /** Who may write to GitHub from Teams (link/allow commands); with `cardActions`, the card buttons work. */
  identity?: IdentityBook;
  cardActions?: Omit<CardActionDeps, 'identity' | 'tenantOf' | 'logger'>;
  /** GitHub reads for the message extension and link unfurling. */
  github?: GitHubReader;
  /** Chat with actions and planners, state in the store (docs/chat.md); without it, commands only. */
  chat?: ChatSetup;
  /** Replaces the credentials factory built from the settings (tests: Entra's token endpoint is unreachable). */
  credentialsFactory?: ServiceClientCredentialsFactory;
  /** Quiet mode, time zone and digest commands (noise-chat.ts); absent: they are not offered. */
  noise?: NoiseChat;
  /** Verified GitHub sign-in (`sign in`, `sign out`, `whoami`); absent: `sign in` says it is not set up. */
  signIn?: SignInService;
  /** What admins say about GitHub accounts (`treat <login> as bot|person`), shared with the loop guard. */
  actorOverrides?: ActorOverrides;
  /** Dependency, train and portfolio commands (orchestration-chat.ts); absent: they are not offered. */
  orchestration?: OrchestrationChat;
}

export function createTeamsApp(settings: TeamsAppSettings, deps: TeamsAppDeps): ReynoldsTeamsApp {
  // With no BOT_ID the factory gets no app type (SingleTenant would demand an id) and the adapter
  // skips authentication; the route only lets loopback callers in then.
  const auth = createBotAuthentication(settings.auth, deps.credentialsFactory);
  const adapter = new TeamsAdapter(auth.options, auth.credentialsFactory);
  adapter.onTurnError = async (context, error) => {
    deps.logger.error(
      {
        err: error,
        activityType: context.activity.type,
        conversation: context.activity.conversation?.id,
      },
      'turn failed',
    );
    if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity(errorLine()).catch(() => undefined);
    }
  };

  const { chat, logger, identity } = deps;
  // Other MCP servers' tools join the model's actions; they are registered once the app exists.
  let external: ExternalTools | undefined;
  const extraActions = chat?.external ? () => external?.promptActions() ?? [] : undefined;
  const app = new Application<TurnState>({
    adapter,
    botAppId: settings.botAppId,
    storage: chat
      ? new StoreStorage(chat.store, settings.tenantId, chat.clock)
      : new MemoryStorage(),
    ...(chat ? { ai: { planner: chatPlanner(chat.model, logger, extraActions) } } : {}),
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });

  // Registration order is match order: installs first, then the commands, then the catch-all.
  const tenantOf = servedTenant(settings);
  const scopeOf = actionScopeOf(tenantOf);
  registerInstallations(app, {
    conversations: deps.conversations,
    subscriptions: deps.subscriptions,
    identity,
    logger,
    tenantOf,
  });
  const dispatch = chat
    ? registerChat(app, chat, {
        status: deps.status,
        subscriptions: deps.subscriptions,
        logger,
        scopeOf,
      })
    : undefined;
  if (chat?.external)
    external = registerExternalTools(
      app,
      { ...chat.external, identity, logger, clock: chat.clock },
      scopeOf,
    );
  registerCommands(app, {
    status: deps.status,
    subscriptions: deps.subscriptions,
    identity,
    noise: deps.noise,
    orchestration: deps.orchestration,
    dispatch,
    tenantOf,
    scopeOf,
    signIn: deps.signIn,
    actorOverrides: deps.actorOverrides,
    botAppId: settings.botAppId,
    logger,
  });
  // Card actions are invoke routes, which Teams AI matches before (and apart from) the message routes.
  if (identity && deps.cardActions)
    registerCardActions(app, {
      ...deps.cardActions,
      identity,
      tenantOf: (context) => tenantOf(context.activity),
      logger,
    });
  if (deps.github) {
    registerMessageExtension(app, {
      github: deps.github,
      subscriptions: deps.subscriptions,
      tenantOf,
      linkHosts: settings.linkHosts,
      onError: (err, what) =>
        logger.error({ err, what }, 'message extension failed; answered with a notice card'),
    });
  }
  return { adapter, app, authentication: auth.authentication };
}
