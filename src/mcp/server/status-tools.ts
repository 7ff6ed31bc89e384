/**
 * pool_status and recent_alerts: the model pool's snapshot as GET /api/pool shows it (with the
 * chat status line as text), and a conversation's recent alerts as GET /api/alerts shows them
 * (src/http/recent-alerts.ts).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { recentAlerts } from '../../http/recent-alerts.js';
import { unconfiguredPool } from '../../http/pool-routes.js';
import { poolLine } from '../../teams/actions/chat-cards.js';
import { audited, ok, READ_ONLY, type ToolContext, toolError } from './tool-kit.js';

/** A factory: a reused instance would become a $ref in the JSON Schema. */
const priority = () => z.enum(['P0', 'P1', 'P2', 'P3']);

export function registerStatusTools(server: McpServer, context: ToolContext): void {
  const { deps, caller } = context;

  server.registerTool(
    'pool_status',
    {
      title: 'Model pool status',
      description:
        "Reynolds's model pool: whether it is configured, concurrency in use, each role's deployments and circuit breakers, latency history, and the pilot rollout.",
      inputSchema: {},
      outputSchema: {
        configured: z.boolean(),
        concurrency: z.object({ limit: z.number(), inFlight: z.number(), queued: z.number() }),
        roles: z.array(z.object({ role: z.string() }).passthrough()),
        pilot: z
          .object({
            stagePercent: z.number(),
            allow: z.array(z.string()),
            deny: z.array(z.string()),
          })
          .passthrough(),
        history: z.array(z.object({ at: z.number(), role: z.string() }).passthrough()),
      },
      annotations: READ_ONLY,
    },
    async (args) =>
      audited('pool_status', context, args, async () => {
        let snapshot;
        try {
          snapshot = deps.pool() ?? unconfiguredPool(deps.pilot);
        } catch {
          return toolError(
            'The model pool could not report its state just now; try again in a few seconds.',
          );
        }
        return ok(`Model pool: ${poolLine(snapshot)}.`, { ...snapshot });
      }),
  );

  server.registerTool(
    'recent_alerts',
    {
      title: "A conversation's recent alerts",
      description:
        'Alerts still waiting to be posted to a Teams conversation (with their last error), and the alerts and threads posted there.',
      inputSchema: {
        conversationId: z
          .string()
          .min(1)
          .max(512)
          .describe('a conversation id from list_conversations'),
      },
      outputSchema: {
        conversationId: z.string(),
        pending: z.array(
          z.object({
            text: z.string(),
            priority: priority(),
            createdAt: z.number(),
            attempts: z.number(),
            lastError: z.string().optional(),
            chainId: z.string().optional(),
          }),
        ),
        threads: z.array(z.object({ threadKey: z.string(), startedAt: z.number() })),
        posted: z.array(
          z.object({
            threadKey: z.string().optional(),
            priority: priority(),
            postedAt: z.number(),
            chainId: z.string().optional(),
          }),
        ),
      },
      annotations: READ_ONLY,
    },
    async (args) =>
      audited('recent_alerts', context, args, async () => {
        const conversation = await deps.conversations.find(caller.tenantId, args.conversationId);
        if (!conversation)
          return toolError(
            `Reynolds is not in conversation ${JSON.stringify(args.conversationId)}: pick one from list_conversations.`,
          );
        const alerts = await recentAlerts(deps.store, caller.tenantId, conversation.conversationId);
        const text = `${alerts.pending.length} alert(s) waiting to be posted${alerts.pending.some((p) => p.lastError) ? ' (some failed before: see lastError)' : ''}; ${alerts.posted.length} posted; ${alerts.threads.length} thread(s).`;
        return ok(text, { ...alerts });
      }),
  );
}
