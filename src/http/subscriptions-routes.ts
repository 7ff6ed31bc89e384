/**
 * The subscription API the configuration tab saves through. It goes through the same
 * SubscriptionBook the chat uses, and every choice is checked by the chat's own syntax: the tab's
 * JSON is printed as the `subscribe ...` command it stands for and parsed back, so a tab and a chat
 * user can never create subscriptions the other could not.
 *
 *   GET    /api/conversations                          the tenant's conversations Reynolds is in
 *   GET    /api/subscriptions?conversationId=...       that conversation's subscriptions
 *   PUT    /api/subscriptions                          { conversationId, repos: [...], features, labels, branches, authors, minPriority }
 *   DELETE /api/subscriptions?conversationId=...&repo=owner/repo
 *   GET    /api/alerts?conversationId=...              alerts waiting in the outbox and threads posted there
 */
import type restify from 'restify';
import { z } from 'zod';
import { PRIORITIES } from '../core/classification.js';
import type { SubscriptionBook } from '../routing/subscriptions/subscription-book.js';
import {
  formatSubscription,
  parseSubscriptionCommand,
} from '../routing/subscriptions/subscription-syntax.js';
import {
  FEATURES,
  scopeName,
  type Subscription,
  type SubscriptionSpec,
} from '../routing/subscriptions/subscription.js';
import type { Store } from '../store/store.js';
import type { ConversationBook } from '../teams/sending/conversation-book.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import { recentAlerts } from './recent-alerts.js';
import { sendError } from './server.js';
import { tabCaller } from './tab-api-access.js';

const MAX_BODY_BYTES = 64 * 1024;
const NAME = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[^\s"]+$/, 'must not contain spaces or quotes');
const ITEM = z.string().trim().min(1).max(256);

const putBody = z
  .object({
    conversationId: z.string().min(1).max(512),
    repos: z
      .array(NAME)
      .min(1, 'choose at least one repository (owner/repo, or owner for all its repositories)')
      .max(50),
    features: z.array(z.enum(FEATURES)).max(FEATURES.length).default([]),
    labels: z
      .object({
        include: z.array(ITEM).max(50).default([]),
        exclude: z.array(ITEM).max(50).default([]),
      })
      .strict()
      .default({}),
    branches: z.array(ITEM).max(50).default([]),
    authors: z.array(NAME).max(50).default([]),
    minPriority: z.enum(PRIORITIES).optional(),
  })
  .strict();
export type SubscriptionPut = z.input<typeof putBody>;

export interface SubscriptionRouteDeps {
  store: Store;
  subscriptions: SubscriptionBook;
  conversations: ConversationBook;
  access: restify.RequestHandler;
}

export function mountSubscriptionsRoutes(
  server: restify.Server,
  deps: SubscriptionRouteDeps,
): void {
  const knownConversation = async (
    req: restify.Request,
    res: restify.Response,
    conversationId: string | null,
  ) => {
    if (!conversationId) {
      sendError(
        res,
        400,
        'conversation_required',
        'Say which conversation: ?conversationId=<the Teams channel or chat id>.',
      );
      return undefined;
    }
    const found = await deps.conversations.find(tabCaller(req).tenantId, conversationId);
    if (!found)
      sendError(
        res,
        404,
        'conversation_not_found',
        'Reynolds is not installed in that conversation: add Reynolds to the team or chat first, then open this configuration again.',
      );
    return found;
  };

  server.get(
    '/api/conversations',
    deps.access,
    async (req: restify.Request, res: restify.Response) => {
      const known = await deps.conversations.list(tabCaller(req).tenantId);
      res.send(200, {
        conversations: known.map(({ conversationId, scope, name, teamId, updatedAt }) => ({
          conversationId,
          scope,
          name,
          teamId,
          updatedAt,
        })),
      });
    },
  );

  server.get(
    '/api/subscriptions',
    deps.access,
    async (req: restify.Request, res: restify.Response) => {
      const conversationId = query(req).get('conversationId');
      const conversation = await knownConversation(req, res, conversationId);
      if (!conversation) return;
      const subscriptions = await deps.subscriptions.list(
        tabCaller(req).tenantId,
        conversation.conversationId,
      );
      res.send(
        200,
        {
          conversationId,
          conversationName: conversation.name,
          subscriptions: subscriptions.map(view),
        },
        { 'cache-control': 'no-store' },
      );
    },
  );

  server.put(
    '/api/subscriptions',
    deps.access,
    async (req: restify.Request, res: restify.Response) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json')
        return sendError(
          res,
          415,
          'unsupported_media_type',
          'Send the subscription as JSON (Content-Type: application/json).',
        );
      let raw: unknown;
      try {
        raw = JSON.parse((await readBody(req, MAX_BODY_BYTES)).toString('utf8'));
      } catch (error) {
        if (error instanceof BodyTooLargeError)
          return sendError(
            res,
            413,
            'body_too_large',
            `A subscription is at most ${MAX_BODY_BYTES} bytes of JSON.`,
          );
        return sendError(res, 400, 'bad_json', 'The body is not valid JSON.');
      }
      const parsed = putBody.safeParse(raw);
      if (!parsed.success) {
        const problems = parsed.error.issues.map(
          (issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`,
        );
        return sendError(
          res,
          400,
          'bad_subscription',
          `Fix the subscription: ${problems.join('; ')}.`,
        );
      }
      const body = parsed.data;
      const specs: SubscriptionSpec[] = [];
      for (const repo of body.repos) {
        const checked = throughChatSyntax(repo, body);
        if (!checked.ok)
          return sendError(res, 400, 'bad_subscription', `${repo}: ${checked.error}`);
        specs.push(checked.spec);
      }
      const conversation = await knownConversation(req, res, body.conversationId);
      if (!conversation) return;
      const caller = tabCaller(req);
      const outcomes = [];
      for (const spec of specs) {
        const outcome = await deps.subscriptions.subscribe(
          caller.tenantId,
          conversation.conversationId,
          spec,
          caller.name,
        );
        outcomes.push({ status: outcome.status, subscription: view(outcome.subscription) });
      }
      res.send(200, { conversationId: conversation.conversationId, saved: outcomes });
    },
  );

  server.del(
    '/api/subscriptions',
    deps.access,
    async (req: restify.Request, res: restify.Response) => {
      const params = query(req);
      const conversation = await knownConversation(req, res, params.get('conversationId'));
      if (!conversation) return;
      const repo = params.get('repo') ?? '';
      const parsed = parseSubscriptionCommand(
        `unsubscribe ${repo.includes(' ') || repo === '' ? '""' : repo}`,
      );
      if (!parsed.ok || parsed.command.kind !== 'unsubscribe')
        return sendError(
          res,
          400,
          'bad_repo',
          'Say which subscription: &repo=owner/repo (or owner).',
        );
      const outcome = await deps.subscriptions.unsubscribe(
        tabCaller(req).tenantId,
        conversation.conversationId,
        parsed.command.scope,
        [],
      );
      if (outcome.status === 'not_found')
        return sendError(
          res,
          404,
          'subscription_not_found',
          `This conversation has no subscription to ${repo}.`,
        );
      res.send(200, { status: outcome.status, subscription: view(outcome.subscription) });
    },
  );

  server.get('/api/alerts', deps.access, async (req: restify.Request, res: restify.Response) => {
    const conversation = await knownConversation(req, res, query(req).get('conversationId'));
    if (!conversation) return;
    res.send(
      200,
      await recentAlerts(deps.store, tabCaller(req).tenantId, conversation.conversationId),
      { 'cache-control': 'no-store' },
    );
  });
}

/** The tab's choice for one repository, printed as the chat command and parsed back by the chat's parser. */
function throughChatSyntax(
  repo: string,
  body: z.output<typeof putBody>,
): { ok: true; spec: SubscriptionSpec } | { ok: false; error: string } {
  const [owner = '', name, ...extra] = repo
    .replace(/^https?:\/\/(www\.)?github\.com\//i, '')
    .replace(/\/+$/, '')
    .split('/');
  if (extra.length > 0)
    return { ok: false, error: 'write owner/repo, or owner alone for all its repositories.' };
  const wanted: SubscriptionSpec = {
    scope: name === undefined ? { owner } : { owner, repo: name },
    features: body.features,
    filters: {
      ...(body.labels.include.length + body.labels.exclude.length > 0
        ? { labels: body.labels }
        : {}),
      ...(body.branches.length > 0 ? { branches: body.branches } : {}),
      ...(body.authors.length > 0 ? { authors: body.authors } : {}),
      ...(body.minPriority ? { minPriority: body.minPriority } : {}),
    },
  };
  const parsed = parseSubscriptionCommand(formatSubscription(wanted));
  if (!parsed.ok) return { ok: false, error: parsed.error.replace(/\nSyntax: .*$/s, '') };
  if (parsed.command.kind !== 'subscribe') return { ok: false, error: 'not a subscription.' };
  const { scope, features, filters } = parsed.command;
  return { ok: true, spec: { scope, features, filters } };
}

function view(subscription: Subscription) {
  return {
    ...subscription,
    name: scopeName(subscription.scope),
    command: formatSubscription(subscription),
  };
}

function query(req: restify.Request): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}
