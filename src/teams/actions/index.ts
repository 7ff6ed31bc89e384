/**
 * Every chat action, by name. Both planners choose from this list, the plain commands call into
 * it, and src/prompts/chat/actions.json describes the same names to the model (a test keeps the
 * two in step).
 */
import type { ChatAction } from './chat-action.js';
import { recentChainsAction, whyStoppedAction } from './chain-actions.js';
import { lookupAction, summarizeAction } from './pull-actions.js';
import { suggestReviewersAction } from './reviewer-actions.js';
import { helpAction, pilotStatusAction, statusAction } from './status-actions.js';
import {
  digestNowAction,
  listSubscriptionsAction,
  subscribeAction,
  unsubscribeAction,
} from './subscription-actions.js';

export const CHAT_ACTIONS: readonly ChatAction[] = [
  helpAction,
  statusAction,
  recentChainsAction,
  whyStoppedAction,
  lookupAction,
  summarizeAction,
  suggestReviewersAction,
  subscribeAction,
  unsubscribeAction,
  listSubscriptionsAction,
  digestNowAction,
  pilotStatusAction,
];

export type ChatActionName =
  | 'help'
  | 'status'
  | 'recent_chains'
  | 'why_stopped'
  | 'lookup'
  | 'summarize'
  | 'suggest_reviewers'
  | 'subscribe'
  | 'unsubscribe'
  | 'list_subscriptions'
  | 'digest_now'
  | 'pilot_status';

/** Actions that act on one PR or issue: a missing reference falls back to the last one discussed. */
export const REFERENCE_ACTIONS: ReadonlySet<string> = new Set([
  'lookup',
  'summarize',
  'suggest_reviewers',
]);
