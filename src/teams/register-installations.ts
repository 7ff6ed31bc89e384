/**
 * Installs and removals: Reynolds keeps a conversation reference for every conversation it is in
 * (so it can post proactively) and forgets the conversation, its subscriptions and its write
 * policy when removed. Every message refreshes the reference (service URLs move), and a message
 * from a tenant Reynolds does not serve is answered with a refusal and goes no further.
 */
import type { Application, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, TurnContext } from 'botbuilder';
import type { Logger } from '../log.js';
import { welcomeLine, wrongTenantLine } from '../persona/replies.js';
import type { SubscriptionBook } from '../routing/subscriptions/subscription-book.js';
import type { IdentityBook } from './identity/identity-book.js';
import type { ConversationBook, ConversationScope } from './sending/conversation-book.js';
import { conversationScopeId } from './sending/conversation-scope-id.js';
import type { TenantOf } from './served-tenant.js';

export interface InstallationDeps {
  conversations: ConversationBook;
  subscriptions: SubscriptionBook;
  /** Notes who installed Reynolds in a conversation (its first admin) and forgets the policy on removal. */
  identity?: IdentityBook;
  logger: Logger;
  tenantOf: TenantOf;
}

export function registerInstallations(app: Application<TurnState>, deps: InstallationDeps): void {
  app.turn('beforeTurn', async (context) => {
    if (context.activity.type === ActivityTypes.Message) {
      if (!deps.tenantOf(context.activity)) {
        await context.sendActivity(wrongTenantLine());
        return false;
      }
      await remember(context, deps); // keeps the reference fresh (service URLs move)
    }
    return true;
  });

  app.conversationUpdate('membersAdded', async (context: TurnContext) => {
    const botId = context.activity.recipient.id;
    if (!context.activity.membersAdded?.some((m) => m.id === botId)) return;
    if (await remember(context, deps)) {
      await noteInstaller(context, deps);
      await context.sendActivity(welcomeLine());
    }
  });

  app.conversationUpdate('membersRemoved', async (context: TurnContext) => {
    const botId = context.activity.recipient.id;
    if (context.activity.membersRemoved?.some((m) => m.id === botId)) await forget(context, deps);
  });

  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    const action = context.activity.action ?? '';
    if (action.startsWith('remove')) await forget(context, deps);
    else if (action.startsWith('add') && (await remember(context, deps)))
      await noteInstaller(context, deps);
  });
}

/** Stores the conversation reference; undefined (nothing stored) for a tenant Reynolds does not serve. */
async function remember(context: TurnContext, deps: InstallationDeps) {
  const tenantId = deps.tenantOf(context.activity);
  if (!tenantId) return undefined;
  const channelData = context.activity.channelData as
    { channel?: { name?: string }; team?: { id?: string; name?: string } } | undefined;
  const type = context.activity.conversation?.conversationType;
  const scope: ConversationScope =
    type === 'channel' ? 'channel' : type === 'groupChat' ? 'groupChat' : 'personal';
  const reference = TurnContext.getConversationReference(context.activity);
  // Proactive posts to a channel go to the channel itself, not to the thread the user wrote in.
  if (reference.conversation?.id)
    reference.conversation = {
      ...reference.conversation,
      id: conversationScopeId(reference.conversation.id),
    };
  return deps.conversations.remember(tenantId, reference, {
    scope,
    name:
      channelData?.channel?.name ?? channelData?.team?.name ?? context.activity.conversation?.name,
    teamId: channelData?.team?.id,
  });
}

/** Called after `remember` succeeded, so the tenant is one Reynolds serves. */
async function noteInstaller(context: TurnContext, deps: InstallationDeps): Promise<void> {
  await deps.identity?.noteInstaller(
    deps.tenantOf(context.activity)!,
    conversationScopeId(context.activity.conversation.id),
    context.activity.from?.aadObjectId,
  );
}

async function forget(context: TurnContext, deps: InstallationDeps): Promise<void> {
  const tenantId = deps.tenantOf(context.activity);
  const conversationId = conversationScopeId(context.activity.conversation?.id);
  if (!tenantId || !conversationId) return;
  await deps.conversations.forget(tenantId, conversationId);
  const removed = await deps.subscriptions.removeConversation(tenantId, conversationId);
  await deps.identity?.forgetConversation(tenantId, conversationId);
  deps.logger.info(
    { conversation: conversationId, subscriptionsRemoved: removed },
    'Reynolds was removed from a conversation',
  );
}
