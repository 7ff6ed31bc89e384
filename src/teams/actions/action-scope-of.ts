/**
 * The scope a chat action or command runs in, from the activity: the tenant (only one Reynolds
 * serves), the conversation (a channel thread counts as its channel) and who asked.
 */
import type { Activity, TurnContext } from 'botbuilder';
import { conversationScopeId } from '../sending/conversation-scope-id.js';
import type { ActionScope } from './chat-action.js';

/** Undefined when the tenant is not served or the activity names no conversation. */
export function actionScopeOf(
  tenantOf: (activity: Activity) => string | undefined,
): (context: TurnContext) => ActionScope | undefined {
  return (context) => {
    const tenantId = tenantOf(context.activity);
    const conversationId = conversationScopeId(context.activity.conversation?.id);
    if (!tenantId || !conversationId) return undefined;
    const userId = context.activity.from?.aadObjectId ?? context.activity.from?.id ?? 'unknown';
    return { tenantId, conversationId, userId, userName: context.activity.from?.name };
  };
}
