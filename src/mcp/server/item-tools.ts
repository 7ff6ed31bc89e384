/**
 * lookup_item: a PR or an issue by reference, with its state, checks, reviewers and the event
 * chains that touched it, and (with orchestration) what it waits for and what waits for it. It runs the chat's lookup reads (findItem in
 * src/teams/actions/pull-actions.ts), so GitHub failures read the same as in Teams.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { findItem } from '../../teams/actions/pull-actions.js';
import { chainSummarySchema } from './chain-shapes.js';
import { audited, ok, scopeOf, toolError, type ToolContext } from './tool-kit.js';

const outputSchema = {
  kind: z.enum(['pull', 'issue']),
  repo: z.string(),
  number: z.number().int(),
  title: z.string(),
  url: z.string(),
  state: z.string().describe('open, closed, merged or draft'),
  author: z.string(),
  labels: z.array(z.string()),
  checks: z
    .object({ state: z.string(), total: z.number(), failing: z.array(z.string()) })
    .optional()
    .describe('pull requests only'),
  reviewers: z
    .object({
      approved: z.array(z.string()),
      changesRequested: z.array(z.string()),
      requested: z.array(z.string()),
    })
    .optional()
    .describe('pull requests only'),
  assignees: z.array(z.string()).optional().describe('issues only'),
  chains: z.array(chainSummarySchema).describe('event chains that touched it, newest first'),
  dependencies: z
    .object({ waitsFor: z.array(z.string()), waitedBy: z.array(z.string()) })
    .optional()
    .describe('open items it waits for, and items waiting for it, across repositories (W2 3/7)'),
};

/** What the item waits for and what waits for it (open ends only), when orchestration runs. */
async function dependenciesOf(context: ToolContext, repo: string, number: number) {
  const graph = context.deps.orchestration?.graph;
  if (!graph) return undefined;
  const item = { repo, number };
  const [waitsFor, waitedBy] = await Promise.all([
    graph.dependenciesOf(context.caller.tenantId, item),
    graph.dependentsOf(context.caller.tenantId, item),
  ]);
  return {
    waitsFor: waitsFor.filter((e) => !e.closed.includes(e.dependency)).map((e) => e.dependency),
    waitedBy: waitedBy.filter((e) => !e.closed.includes(e.dependent)).map((e) => e.dependent),
  };
}

export function registerItemTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'lookup_item',
    {
      title: 'Look up a PR or issue',
      description:
        'A GitHub pull request or issue: state, checks, reviewers, labels, and the Reynolds event chains (loop verdicts) that touched it.',
      inputSchema: {
        reference: z
          .string()
          .min(3)
          .max(300)
          .describe('owner/repo#123, or a link such as https://github.com/owner/repo/pull/123'),
      },
      outputSchema,
      annotations: {
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: true,
      },
    },
    async (args) =>
      audited('lookup_item', context, args, async () => {
        const found = await findItem(
          scopeOf(context.caller),
          { reference: args.reference },
          context.deps.chat,
        );
        if (!found.ok) return toolError(found.reply.text ?? found.reply.summary);
        const { item } = found;
        if (item.kind === 'pull') {
          const p = item.pull;
          const text = `PR ${item.what} "${p.title}": ${p.state}, by ${p.author}, checks ${p.checks.state}${p.checks.failing.length ? ` (failing: ${p.checks.failing.join(', ')})` : ''}, approved by ${p.reviews.approved.join(', ') || 'nobody'}, review requested from ${p.reviews.requested.join(', ') || 'nobody'}; chains: ${item.chains.map((c) => `${c.chainId} ${c.verdict}`).join(', ') || 'none'}.`;
          return ok(text, {
            kind: 'pull',
            repo: p.repo,
            number: p.number,
            title: p.title,
            url: p.url,
            state: p.state,
            author: p.author,
            labels: p.labels,
            checks: p.checks,
            reviewers: p.reviews,
            chains: item.chains,
            dependencies: await dependenciesOf(context, p.repo, p.number),
          });
        }
        const i = item.issue;
        const text = `Issue ${item.what} "${i.title}": ${i.state}, by ${i.author}, ${i.comments} comments, assignees ${i.assignees.join(', ') || 'none'}, labels ${i.labels.join(', ') || 'none'}; chains: ${item.chains.map((c) => `${c.chainId} ${c.verdict}`).join(', ') || 'none'}.`;
        return ok(text, {
          kind: 'issue',
          repo: i.repo,
          number: i.number,
          title: i.title,
          url: i.url,
          state: i.pullState ?? i.state,
          author: i.author,
          labels: i.labels,
          assignees: i.assignees,
          chains: item.chains,
          dependencies: await dependenciesOf(context, i.repo, i.number),
        });
      }),
  );
}
