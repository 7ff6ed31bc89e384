/**
 * The Teams side of the wiring: the Teams app (commands, chat, card actions, message extension)
 * and the proactive sender that posts the outbox through its adapter.
 */
import { PostedAlerts } from '../routing/alerts/posted-alerts.js';
import { IdentityBook } from '../teams/identity/identity-book.js';
import { NoiseChat } from '../teams/chat/noise-chat.js';
import { OrchestrationChat } from '../teams/chat/orchestration-chat.js';
import { ProactiveSender } from '../teams/sending/proactive-sender.js';
import { TeamsRateLimits } from '../teams/sending/teams-rate-limits.js';
import { ThreadBook } from '../teams/sending/thread-book.js';
import { createTeamsApp } from '../teams/teams-app.js';
import { chatModelSettings } from './chat-model-config.js';
import { signInFromConfig } from './sign-in-from-config.js';
import type { Foundation } from './foundation.js';
import type { StartOptions } from './start-options.js';
import { storeStatus } from './store-status.js';
import { teamsAppSettingsFrom } from './teams-app-settings.js';
import type { GitHubParts } from './wire-github.js';
import type { PipelineParts } from './wire-pipeline.js';
import type { ChatMcp } from './wire-mcp.js';

export function wireTeams(
  base: Foundation,
  parts: PipelineParts,
  github: GitHubParts,
  options: Pick<StartOptions, 'chat' | 'botCredentialsFactory' | 'oauth'>,
  mcp?: ChatMcp,
) {
  const { config, clock, logger, store, metrics } = base;
  const { conversations, subscriptions, digests, pool, pilot } = parts;
  const signIn = signInFromConfig(config, { store, clock, oauth: options.oauth });
  const identity = new IdentityBook(store, clock, config.ADMIN_AAD_IDS);
  const status = storeStatus(store);
  const teams = createTeamsApp(teamsAppSettingsFrom(config), {
    signIn,
    logger,
    github: github.reader,
    credentialsFactory: options.botCredentialsFactory,
    conversations,
    subscriptions,
    identity,
    actorOverrides: parts.tracker.overrides,
    cardActions: { store, signIn, writerFor: github.writerFor },
    chat: {
      store,
      clock,
      model: chatModelSettings(config),
      reader: github.reader,
      pool,
      pilot,
      digest: digests,
      external: { connections: mcp, tracker: parts.tracker, guard: parts.guard },
      ...options.chat,
    },
    noise: new NoiseChat(parts.noise.settings, digests, clock, parts.digestAt),
    orchestration: new OrchestrationChat(parts.orchestration.stage, clock),
    // `status` also says how the chat's MCP servers are doing, when there are any.
    status: mcp
      ? { status: async () => ({ ...(await status.status()), mcp: mcp.status() }) }
      : status,
  });

  const sender = new ProactiveSender({
    adapter: teams.adapter,
    botAppId: config.BOT_ID ?? '',
    tenantId: config.tenantId,
    outbox: parts.outbox,
    conversations,
    threads: new ThreadBook(store, clock),
    posted: new PostedAlerts(store, clock),
    guard: parts.guard,
    limits: new TeamsRateLimits(),
    clock,
    logger,
    owner: base.workerOwner,
    observer: metrics,
  });
  return { teams, sender, signIn, identity };
}
