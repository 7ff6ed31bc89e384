/**
 * The typed chat commands: help, status, subscriptions, who may write (identity), quiet mode and
 * digests (noise), dependencies, trains and portfolios (orchestration), and a greeting for a
 * message with no text. With chat, help and status are the chat's own actions and the planner
 * answers everything else; without chat, anything else gets a greeting. Registration order is
 * match order (Teams AI takes the first route that matches).
 */
import type { ActorOverrides } from '../loops/actor-overrides.js';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, type TurnContext } from 'botbuilder';
import { greetingLine, helpLines, statusLine } from '../persona/replies.js';
import type { SubscriptionBook } from '../routing/subscriptions/subscription-book.js';
import type { ActionScope, StatusSource } from './actions/chat-action.js';
import { runSubscriptionCommand } from './actions/subscription-commands.js';
import type { ChatDispatch } from './chat/chat-dispatch.js';
import type { NoiseChat } from './chat/noise-chat.js';
import type { OrchestrationChat } from './chat/orchestration-chat.js';
import type { IdentityBook } from './identity/identity-book.js';
import { registerIdentityCommands } from './identity/identity-commands.js';
import { registerSignInCommands } from './identity/sign-in-commands.js';
import type { SignInService } from '../identity/sign-in-service.js';
import type { Logger } from '../log.js';
import { conversationScopeId } from './sending/conversation-scope-id.js';
import type { TenantOf } from './served-tenant.js';

const SUBSCRIPTION_COMMAND = /^\s*(subscribe|unsubscribe|subscriptions|list)\b/i;

export interface CommandDeps {
  status: StatusSource;
  subscriptions: SubscriptionBook;
  /** The link/allow/who-can-write commands; absent: not offered. */
  identity?: IdentityBook;
  /** Quiet mode, time zone and digest commands; absent: not offered. */
  noise?: NoiseChat;
  /** Dependency, train and portfolio commands; absent: not offered. */
  orchestration?: OrchestrationChat;
  /** The chat's actions, when chat is on. */
  dispatch?: ChatDispatch;
  tenantOf: TenantOf;
  scopeOf: (context: TurnContext) => ActionScope | undefined;
  /** `sign in`, `sign out`, `whoami` (with identity); absent signIn: `sign in` says it is not set up. */
  signIn?: SignInService;
  /** What admins say about GitHub accounts (`treat <login> as bot|person`), shared with the loop guard. */
  actorOverrides?: ActorOverrides;
  botAppId: string;
  logger: Logger;
}

export function registerCommands(app: Application<TurnState>, deps: CommandDeps): void {
  const { dispatch } = deps;
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
    const outcome = await runSubscriptionCommand(
      deps.subscriptions,
      deps.scopeOf(context)!,
      context.activity.text ?? '',
    );
    await context.sendActivity(outcome.text);
  });

  if (deps.identity)
    registerIdentityCommands(app, {
      identity: deps.identity,
      tenantOf: (context) => deps.tenantOf(context.activity),
      actors: deps.actorOverrides,
    });
  if (deps.identity)
    registerSignInCommands(app, {
      signIn: deps.signIn,
      identity: deps.identity,
      logger: deps.logger,
      botAppId: deps.botAppId,
      tenantOf: (context) => deps.tenantOf(context.activity),
    });
  if (deps.noise) registerNoiseCommands(app, deps.noise, deps);
  const { orchestration } = deps;
  if (orchestration) {
    app.message(
      async (context) => orchestration.pattern.test(context.activity.text ?? ''),
      async (context) => {
        await context.sendActivity(
          await orchestration.answer(deps.tenantOf(context.activity)!, context.activity.text ?? ''),
        );
      },
    );
  }

  // With chat, the planner answers everything else (greetings included); without, a greeting.
  if (!dispatch) {
    app.activity(ActivityTypes.Message, async (context) => {
      await context.sendActivity(greetingLine(context.activity.from?.name));
    });
  }
}

function registerNoiseCommands(
  app: Application<TurnState>,
  noise: NoiseChat,
  deps: CommandDeps,
): void {
  // With chat, `digest now` is the chat's digest action (same digests); the settings stay here.
  const isNoiseCommand = async (context: TurnContext) => {
    const text = context.activity.text ?? '';
    return noise.pattern.test(text) && !(deps.dispatch && /^\s*digest\s+now\b/i.test(text));
  };
  app.message(isNoiseCommand, async (context) => {
    const conversationId = conversationScopeId(context.activity.conversation.id);
    await context.sendActivity(
      await noise.answer(
        deps.tenantOf(context.activity)!,
        conversationId,
        context.activity.text ?? '',
      ),
    );
  });
}
