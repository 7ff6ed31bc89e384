/**
 * What every Reynolds MCP tool shares: its dependencies (the same ports the chat actions and the
 * tab API use), its caller, and how it answers: `structuredContent` matching the tool's
 * `outputSchema` plus the same facts as text for clients that read only text, or, when the
 * input is wrong or the thing is not there, `isError: true` with a sentence saying what to fix
 * (a tool error the model can read, not a JSON-RPC error: the MCP spec keeps those for protocol
 * faults).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { PilotSnapshot, PoolSnapshot } from '../../models/model-pool.js';
import type { SubscriptionBook } from '../../routing/subscriptions/subscription-book.js';
import type { Store } from '../../store/store.js';
import type { ActionScope, ChatActionDeps } from '../../teams/actions/chat-action.js';
import type { IdentityBook } from '../../teams/identity/identity-book.js';
import type { ConversationBook } from '../../teams/sending/conversation-book.js';
import type { OrchestrationParts } from '../../orchestration/orchestration-commands.js';
import type { McpAudit } from './mcp-audit.js';
import type { McpCaller } from './mcp-caller.js';

export interface McpToolDeps {
  store: Store;
  subscriptions: SubscriptionBook;
  conversations: ConversationBook;
  identity: IdentityBook;
  /** The chat actions' ports: lookups and explanations run the chat's own code. */
  chat: ChatActionDeps;
  /** GET /api/pool's source: the running pool's snapshot, or undefined without one. */
  pool: () => PoolSnapshot | undefined;
  pilot: PilotSnapshot;
  audit: McpAudit;
  /** The dependency graph, trains and portfolio (W2 3/7); absent: those tools are not offered. */
  orchestration?: OrchestrationParts;
}

export interface ToolContext {
  caller: McpCaller;
  deps: McpToolDeps;
}

/** The chat scope an MCP call runs in: the caller's tenant, the conversation it names (if any). */
export function scopeOf(caller: McpCaller, conversationId = 'mcp'): ActionScope {
  return {
    tenantId: caller.tenantId,
    conversationId,
    userId: caller.userId,
    userName: caller.name,
  };
}

/** The annotations of a tool that only reads Reynolds's own state (no writes, nothing outside). */
export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

export function ok<T extends Record<string, unknown>>(text: string, structured: T): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** Runs a tool body under the audit: one log line and one counted outcome per call. */
export async function audited(
  tool: string,
  context: ToolContext,
  args: unknown,
  run: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  const started = performance.now();
  try {
    const result = await run();
    context.deps.audit.record({
      tool,
      caller: context.caller,
      args,
      outcome: result.isError ? 'refused' : 'ok',
      ms: performance.now() - started,
      detail: result.isError ? firstText(result) : undefined,
    });
    return result;
  } catch (error) {
    context.deps.audit.record({
      tool,
      caller: context.caller,
      args,
      outcome: 'failed',
      ms: performance.now() - started,
      error,
    });
    return toolError(
      `Reynolds failed to run ${tool} on its side; it has been logged. Try again shortly.`,
    );
  }
}

function firstText(result: CallToolResult): string | undefined {
  const first = result.content[0];
  return first?.type === 'text' ? first.text : undefined;
}
