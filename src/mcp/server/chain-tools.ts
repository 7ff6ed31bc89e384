/**
 * list_chains and explain_chain: the event chains the loop breaker keeps (src/loops/), read by the
 * same queries as GET /api/chains (src/loops/chain-queries.ts); explain_chain's text is the chat's
 * why_stopped answer, and its structure the chain with its strongest signals and audit trail.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { chainDetail, recentChains } from '../../loops/chain-queries.js';
import { strongestSignals, whyStoppedAction } from '../../teams/actions/chain-actions.js';
import {
  auditEntrySchema,
  chainNodeSchema,
  chainSummarySchema,
  signalSchema,
  verdictSchema,
} from './chain-shapes.js';
import { audited, ok, READ_ONLY, scopeOf, type ToolContext, toolError } from './tool-kit.js';

const REPO = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
export const CHAIN_ID = /^[A-Za-z0-9_-]{1,100}$/;

export function registerChainTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'list_chains',
    {
      title: 'List event chains',
      description:
        'Recent event chains (GitHub event -> Reynolds action -> event ...) with their loop verdicts, newest first.',
      inputSchema: {
        repo: z
          .string()
          .regex(REPO, 'write owner/name')
          .optional()
          .describe('only chains in this repository'),
        verdict: verdictSchema()
          .optional()
          .describe('break: stopped as a loop; dampen: write-backs off; proceed: flowing'),
        limit: z.number().int().min(1).max(200).default(20),
      },
      outputSchema: { chains: z.array(chainSummarySchema) },
      annotations: READ_ONLY,
    },
    async (args) =>
      audited('list_chains', context, args, async () => {
        const chains = await recentChains(context.deps.store, context.caller.tenantId, {
          repo: args.repo,
          verdict: args.verdict,
          limit: args.limit,
        });
        const text =
          chains.length === 0
            ? 'No event chains match.'
            : chains
                .map(
                  (c) =>
                    `${c.chainId}: ${c.verdict}, score ${c.score.toFixed(2)}, ${c.root}${c.reason ? ` (${c.reason})` : ''}`,
                )
                .join('\n');
        return ok(text, { chains });
      }),
  );

  server.registerTool(
    'explain_chain',
    {
      title: 'Explain an event chain',
      description:
        'Why a chain was stopped, dampened or let through: its verdict, the strongest loop signals, its nodes and the audit trail of what Reynolds did.',
      inputSchema: {
        chainId: z
          .string()
          .regex(CHAIN_ID, 'a chain id is letters, digits, dash and underscore')
          .describe('from list_chains or lookup_item'),
      },
      outputSchema: {
        chain: chainSummarySchema,
        verdict: verdictSchema(),
        headline: z.string(),
        signals: z
          .array(signalSchema)
          .describe('strongest reading of each signal, strongest first'),
        nodes: z.array(chainNodeSchema),
        edges: z.array(z.object({ from: z.string(), to: z.string(), link: z.string() })),
        audit: z.array(auditEntrySchema),
        truncated: z.boolean(),
      },
      annotations: READ_ONLY,
    },
    async (args) =>
      audited('explain_chain', context, args, async () => {
        const detail = await chainDetail(context.deps.store, context.caller.tenantId, args.chainId);
        const said = await whyStoppedAction.run(
          scopeOf(context.caller),
          { chainId: args.chainId },
          context.deps.chat,
        );
        if (!detail) return toolError(said.text ?? said.summary);
        const signals = strongestSignals(
          [...detail.nodes.map((n) => n.signals), ...detail.audit.map((a) => a.signals)].flat(),
        );
        return ok(said.summary, {
          ...detail,
          verdict: detail.chain.verdict,
          headline: said.text ?? said.summary,
          signals,
        });
      }),
  );
}
