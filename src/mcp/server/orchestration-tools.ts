/**
 * dependencies, train_status and portfolio: the orchestration layer's answers (W2 3/7) for agents.
 * The text is the chat's own answer (answerOrchestrationCommand, as `dependencies of`, `train
 * status` and `portfolio` in Teams give it); the structured output is read from the same graph,
 * trains and portfolio, so a client can use the figures without parsing prose.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import {
  answerOrchestrationCommand,
  type OrchestrationCommand,
  type OrchestrationParts,
} from '../../orchestration/orchestration-commands.js';
import { InvalidScopeError } from '../../orchestration/portfolio-scopes.js';
import { parseRef } from '../../orchestration/work-item-ref.js';
import { audited, ok, READ_ONLY, toolError, type ToolContext } from './tool-kit.js';

/** Factories: a reused zod instance would become a $ref in the JSON Schema. */
const edge = () => z.object({ item: z.string(), relation: z.string(), done: z.boolean() });
const duration = () =>
  z.object({ p50: z.number().optional(), p90: z.number().optional(), count: z.number() });

export function registerOrchestrationTools(
  server: McpServer,
  context: ToolContext,
  parts: OrchestrationParts,
): void {
  const { caller } = context;
  const now = () => context.deps.chat.clock.now();
  const answer = (command: OrchestrationCommand) =>
    answerOrchestrationCommand(parts, caller.tenantId, command, now());

  server.registerTool(
    'dependencies',
    {
      title: 'Dependencies of a PR or issue',
      description:
        'What a PR or issue waits for and what waits for it, across repositories (from "depends on", "blocked by", closing keywords and GitHub\'s issue links), with its open blockers followed transitively and any cycle.',
      inputSchema: {
        item: z.string().min(3).max(200).describe('owner/repo#123'),
      },
      outputSchema: {
        item: z.string(),
        waitsFor: z.array(edge()),
        waitedBy: z.array(edge()),
        openBlockers: z.array(z.string()),
        cycles: z.array(z.array(z.string())),
        truncated: z.boolean(),
      },
      annotations: READ_ONLY,
    },
    async (args) =>
      audited('dependencies', context, args, async () => {
        const item = parseRef(args.item);
        if (!item)
          return toolError(
            `Name the item as owner/repo#N, e.g. acme/api#12 (got ${JSON.stringify(args.item)}).`,
          );
        const [waitsFor, waitedBy, walk] = await Promise.all([
          parts.graph.dependenciesOf(caller.tenantId, item),
          parts.graph.dependentsOf(caller.tenantId, item),
          parts.graph.blockers(caller.tenantId, item),
        ]);
        const text = await answer({ kind: 'dependencies', item });
        return ok(text, {
          item: `${item.repo.toLowerCase()}#${item.number}`,
          waitsFor: waitsFor.map((e) => ({
            item: e.dependency,
            relation: e.relation,
            done: e.closed.includes(e.dependency),
          })),
          waitedBy: waitedBy.map((e) => ({
            item: e.dependent,
            relation: e.relation,
            done: e.closed.includes(e.dependent),
          })),
          openBlockers: walk.reached.slice(1),
          cycles: walk.cycles,
          truncated: walk.truncated,
        });
      }),
  );

  server.registerTool(
    'train_status',
    {
      title: 'Release train status',
      description:
        'A release train (a milestone title, or a train:<name> label, shared across repositories): per repository its open PRs and issues, blocked items, failing checks, items ready to merge, due date, and whether it is at risk.',
      inputSchema: {
        train: z
          .string()
          .min(1)
          .max(200)
          .describe('the milestone title, or the <name> of train:<name>'),
      },
      outputSchema: {
        train: z.string(),
        repositories: z.array(
          z.object({
            repo: z.string(),
            openPrs: z.number(),
            openIssues: z.number(),
            blocked: z.number(),
            failingChecks: z.number(),
            readyToMerge: z.number(),
            dueOn: z.number().optional(),
            atRisk: z.boolean(),
          }),
        ),
      },
      annotations: READ_ONLY,
    },
    async (args) =>
      audited('train_status', context, args, async () => {
        const lines = await parts.trains.status(caller.tenantId, args.train, now());
        const text = await answer({ kind: 'train_status', train: args.train });
        return ok(text, {
          train: args.train,
          repositories: lines.map(({ text: _text, ...line }) => line),
        });
      }),
  );

  server.registerTool(
    'portfolio',
    {
      title: 'Portfolio health',
      description:
        'Health figures of a scope (org:<organisation>, or a named set of repositories) over the last 7, 30 or 90 days: PRs opened and merged, time to first review and to merge (p50/p90, ms), review load, minutes the default branches were red, stale PRs and issues, alerts, loops stopped.',
      inputSchema: {
        scope: z
          .string()
          .min(1)
          .max(200)
          .describe('org:<organisation>, or a name made with `portfolio define`'),
        days: z.union([z.literal(7), z.literal(30), z.literal(90)]).default(7),
      },
      outputSchema: {
        scope: z.string(),
        days: z.number(),
        prsOpened: z.number(),
        prsMerged: z.number(),
        issuesOpened: z.number(),
        firstReview: duration(),
        toMerge: duration(),
        reviewLoad: z.array(z.object({ login: z.string(), reviews: z.number() })),
        redMinutes: z.number(),
        stalePrs: z.number(),
        staleIssues: z.number(),
        alerts: z.number(),
        loopsStopped: z.number(),
      },
      annotations: READ_ONLY,
    },
    async (args) =>
      audited('portfolio', context, args, async () => {
        try {
          const figures = await parts.portfolio.figures(
            caller.tenantId,
            args.scope,
            args.days,
            now(),
          );
          const text = await answer({ kind: 'portfolio', scope: args.scope, days: args.days });
          return ok(text, { ...figures });
        } catch (error) {
          if (error instanceof InvalidScopeError) return toolError(error.message);
          throw error;
        }
      }),
  );
}
