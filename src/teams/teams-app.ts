/**
 * The Teams side: a Teams AI Library Application behind a TeamsAdapter. Chat grows into a planner
 * with actions later; for now Reynolds greets, helps and reports status.
 */
import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, ConfigurationServiceClientCredentialFactory, MemoryStorage, type TurnContext } from 'botbuilder';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { errorLine, greetingLine, helpLines, statusLine, welcomeLine } from '../persona/replies.js';

export interface StatusSource {
  status(): Promise<{ store: string; ready: boolean; pending: number; processing: number; failed: number }>;
}

export interface ReynoldsTeamsApp {
  adapter: TeamsAdapter;
  app: Application<TurnState>;
}

export function createTeamsApp(config: Config, deps: { logger: Logger; status: StatusSource }): ReynoldsTeamsApp {
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

  app.conversationUpdate('membersAdded', async (context: TurnContext) => {
    const botId = context.activity.recipient.id;
    if (context.activity.membersAdded?.some((m) => m.id === botId)) await context.sendActivity(welcomeLine());
  });

  app.message(/^\s*help\s*$/i, async (context) => {
    await context.sendActivity(helpLines());
  });

  app.message(/^\s*status\s*$/i, async (context) => {
    await context.sendActivity(statusLine(await deps.status.status()));
  });

  app.activity(ActivityTypes.Message, async (context) => {
    await context.sendActivity(greetingLine(context.activity.from?.name));
  });

  return { adapter, app };
}
