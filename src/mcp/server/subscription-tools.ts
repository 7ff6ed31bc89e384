/**
 * list_conversations, list_subscriptions, subscribe and unsubscribe. Subscribing runs the chat's
 * own command (runSubscriptionCommand, src/teams/actions/subscription-commands.ts) on the command
 * text a person would type, so an MCP client can never subscribe in a way the chat would refuse.
 * Changes need the caller to be allowed to make them in that conversation, as in Teams
 * (src/teams/identity/change-permission.ts); the conversation must be one Reynolds is in.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import {
  formatSubscription,
  formatSubscriptionList,
} from '../../routing/subscriptions/subscription-syntax.js';
import {
  FEATURES,
  scopeName,
  type Subscription,
} from '../../routing/subscriptions/subscription.js';
import { runSubscriptionCommand } from '../../teams/actions/subscription-commands.js';
import { mayChange } from '../../teams/identity/change-permission.js';
import { teamsUserOfCaller } from './mcp-caller.js';
import { audited, ok, READ_ONLY, type ToolContext, toolError } from './tool-kit.js';

const OWNER = '[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}';
const REPO_OR_OWNER = new RegExp(`^${OWNER}(?:/[A-Za-z0-9._-]{1,100})?$`);
const FILTER = /^[+-]?[A-Za-z]+:[^\s"]{1,200}$/;

const conversationId = z
  .string()
  .min(1)
  .max(512)
  .describe('a conversation id from list_conversations');
const subscriptionSchema = z
  .object({
    name: z.string(),
    command: z.string().describe('the chat command that makes it'),
    features: z.array(z.string()),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .passthrough();
const changeOutput = {
  conversationId: z.string(),
  done: z.boolean(),
  message: z.string(),
  subscriptions: z.array(subscriptionSchema),
};

function view(subscription: Subscription) {
  return {
    name: scopeName(subscription.scope),
    command: formatSubscription(subscription),
    features: [...subscription.features],
    filters: subscription.filters,
    createdBy: subscription.createdBy,
    createdAt: subscription.createdAt,
  };
}

export function registerSubscriptionTools(server: McpServer, context: ToolContext): void {
  const { deps, caller } = context;
  const known = (id: string) => deps.conversations.find(caller.tenantId, id);
  const notKnown = (id: string) =>
    toolError(
      `Reynolds is not in conversation ${JSON.stringify(id)}: add Reynolds to that team or chat first, or pick one from list_conversations.`,
    );

  server.registerTool(
    'list_conversations',
    {
      title: 'List conversations',
      description:
        'The Teams channels and chats Reynolds is installed in (their ids are what the subscription tools take).',
      inputSchema: {},
      outputSchema: {
        conversations: z.array(
          z.object({
            conversationId: z.string(),
            scope: z.string(),
            name: z.string().optional(),
            teamId: z.string().optional(),
          }),
        ),
      },
      annotations: READ_ONLY,
    },
    async (args) =>
      audited('list_conversations', context, args, async () => {
        const conversations = (await deps.conversations.list(caller.tenantId)).map(
          ({ conversationId: id, scope, name, teamId }) => ({
            conversationId: id,
            scope,
            name,
            teamId,
          }),
        );
        const text =
          conversations.length === 0
            ? 'Reynolds is not in any conversation yet.'
            : conversations
                .map((c) => `${c.name ?? '(unnamed)'} (${c.scope}): ${c.conversationId}`)
                .join('\n');
        return ok(text, { conversations });
      }),
  );

  server.registerTool(
    'list_subscriptions',
    {
      title: "List a conversation's subscriptions",
      description:
        'What a Teams channel or chat follows: repositories or organizations, features and filters, as the chat commands that make them.',
      inputSchema: { conversationId },
      outputSchema: {
        conversationId: z.string(),
        conversationName: z.string().optional(),
        subscriptions: z.array(subscriptionSchema),
      },
      annotations: READ_ONLY,
    },
    async (args) =>
      audited('list_subscriptions', context, args, async () => {
        const conversation = await known(args.conversationId);
        if (!conversation) return notKnown(args.conversationId);
        const subscriptions = await deps.subscriptions.list(
          caller.tenantId,
          conversation.conversationId,
        );
        return ok(formatSubscriptionList(subscriptions), {
          conversationId: conversation.conversationId,
          conversationName: conversation.name,
          subscriptions: subscriptions.map(view),
        });
      }),
  );

  const change =
    (verb: 'subscribe' | 'unsubscribe') =>
    async (args: {
      conversationId: string;
      repo: string;
      features?: string[];
      filters?: string[];
    }) =>
      audited(verb, context, args, async () => {
        const conversation = await known(args.conversationId);
        if (!conversation) return notKnown(args.conversationId);
        const decision = await mayChange(
          deps.identity,
          caller.tenantId,
          teamsUserOfCaller(caller),
          conversation.conversationId,
          args.repo,
          `change the subscriptions of this conversation (${verb} ${args.repo})`,
        );
        if (!decision.allowed) return toolError(`Not done: ${decision.reason}`);
        const command = [
          verb,
          args.repo,
          ...(args.features ?? []),
          ...(verb === 'subscribe' ? (args.filters ?? []) : []),
        ].join(' ');
        const outcome = await runSubscriptionCommand(
          deps.subscriptions,
          {
            tenantId: caller.tenantId,
            conversationId: conversation.conversationId,
            userId: `mcp:${caller.name}`,
          },
          command,
        );
        if (!outcome.ok) return toolError(outcome.text);
        const subscriptions = (
          await deps.subscriptions.list(caller.tenantId, conversation.conversationId)
        ).map(view);
        return ok(outcome.text, {
          conversationId: conversation.conversationId,
          done: true,
          message: outcome.text,
          subscriptions,
        });
      });

  server.registerTool(
    'subscribe',
    {
      title: 'Subscribe a conversation',
      description:
        'Makes a Teams channel or chat follow a repository (owner/repo) or a whole organization (owner). Needs the caller to be an admin of that conversation or on its allow-list.',
      inputSchema: {
        conversationId,
        repo: z
          .string()
          .regex(REPO_OR_OWNER, 'write owner/repo, or owner for all its repositories'),
        features: z
          .array(z.enum(FEATURES))
          .max(FEATURES.length)
          .optional()
          .describe('which kinds of events; default: the usual set'),
        filters: z
          .array(
            z
              .string()
              .regex(
                FILTER,
                'a filter looks like +label:bug, -label:wip, branch:main, author:octocat or priority:P1',
              ),
          )
          .max(20)
          .optional(),
      },
      outputSchema: changeOutput,
      // Subscribing twice to the same thing changes nothing the second time.
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    change('subscribe'),
  );

  server.registerTool(
    'unsubscribe',
    {
      title: 'Unsubscribe a conversation',
      description:
        'Stops a Teams channel or chat following a repository or organization, or only some features of it. Needs the same rights as subscribe.',
      inputSchema: {
        conversationId,
        repo: z.string().regex(REPO_OR_OWNER, 'write owner/repo, or owner'),
        features: z
          .array(z.enum(FEATURES))
          .max(FEATURES.length)
          .optional()
          .describe('only these features; default: the whole subscription'),
      },
      outputSchema: changeOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    change('unsubscribe'),
  );
}
