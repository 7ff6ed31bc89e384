/**
 * What a chat action is: a function of the conversation it runs in and its parameters that answers
 * with text, an Adaptive Card, or both. No TurnContext here, so the same functions serve the
 * model-backed planner, the offline planner, the plain commands and the tests.
 */
import type { Clock } from '../../core/clock.js';
import type { GitHubReader } from '../../github/github-reader.js';
import type { Logger } from '../../log.js';
import type { ModelPool } from '../../models/model-pool.js';
import type { SubscriptionBook } from '../../routing/subscriptions/subscription-book.js';
import type { Store } from '../../store/store.js';
import type { AdaptiveCardJson } from '../cards/alert-card.js';

/**
 * Sends a conversation its digest now. Structurally the same as `DigestSource` in
 * src/routing/noise/digest.ts (noise control), declared here so chat does not wait for it.
 */
/** What the `status` action reports: the store and the inbox, as the health routes see them. */
export interface StatusSource {
  status(): Promise<{
    store: string;
    ready: boolean;
    pending: number;
    processing: number;
    failed: number;
    mcp?: McpServerState[];
  }>;
}

/** Another MCP server the chat may use (src/mcp/client/mcp-connections.ts), as `status` tells it. */
export interface McpServerState {
  name: string;
  state: 'connecting' | 'connected' | 'down';
  tools: number;
  error?: string;
}

export interface DigestSource {
  digestNow(tenantId: string, conversationId: string): Promise<void>;
}

/** Whether a tenant + repo pair is in the pilot (the pool's rollout decides; see models/). */
export interface PilotGate {
  includes(tenantId: string, repo: string): boolean;
}

export interface ChatActionDeps {
  store: Store;
  clock: Clock;
  status: StatusSource;
  subscriptions: SubscriptionBook;
  /** GitHub reads; without one, lookups answer that GitHub is not configured. */
  reader?: GitHubReader;
  /** The model pool; without one, summaries are the deterministic kind. */
  pool?: ModelPool;
  digest?: DigestSource;
  pilot?: PilotGate;
  /** For failures the user is told about in other words (a pool that is down). */
  logger?: Logger;
}

export interface ActionScope {
  tenantId: string;
  /** The conversation without a channel thread's `;messageid=` suffix. */
  conversationId: string;
  /** Who asked: an AAD object id or a Teams id. */
  userId: string;
  userName?: string;
}

export interface ActionReply {
  text?: string;
  card?: AdaptiveCardJson;
  /**
   * One or two lines of plain facts for the model-backed planner: what was shown to the user,
   * so the model can follow up without repeating it.
   */
  summary: string;
}

export type ActionParameters = Record<string, unknown>;

export interface ChatAction {
  name: string;
  run(scope: ActionScope, parameters: ActionParameters, deps: ChatActionDeps): Promise<ActionReply>;
}

/** A reply that is only text (bad input, nothing found...); the model sees the same words. */
export function textReply(text: string): ActionReply {
  return { text, summary: text };
}

/** A parameter as a trimmed string, or undefined when absent or empty. */
export function stringParam(parameters: ActionParameters, name: string): string | undefined {
  const value = parameters[name];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
