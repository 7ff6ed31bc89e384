/**
 * Card actions: the Action.Execute buttons on issue and pull-request alert cards (comment,
 * close/reopen, approve, request changes). register-card-actions.ts hands each click to
 * `answerCardAction` here.
 *
 * Each click: who is it (Entra id) → their verified GitHub sign-in and token (acting-person.ts) →
 * may they write here to this repository (identity book) →
 * which chain node is the card about (the act is tied to it, so a loop cannot be driven from a
 * card and a broken chain refuses) → the write, through the write guard, with the card's identity
 * in the request key (a double click or a retried invoke writes once) → a card that says what
 * happened, which replaces the alert card for everyone, or, when refused or failed, a card that
 * says why, for the person who clicked only. Nothing here throws at Teams.
 *
 * Reynolds writes with the person's own GitHub token, so GitHub applies their permissions and shows
 * them as the author; what it writes still says it came through Reynolds ("— @login via
 * Reynolds"), and the chain's audit keeps the Teams user. A token GitHub refuses (401) is forgotten.
 */
import { TeamsInfo, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import type { ChainNode } from '../../core/chain-records.js';
import type { GuardedGitHub } from '../../loops/guarded-github.js';
import { tokenExpiredLine } from '../../persona/sign-in-replies.js';
import type { GuardOutcome, WriteTrigger } from '../../loops/write-guard.js';
import type { Store } from '../../store/store.js';
import {
  type CardActionRequest,
  buildActionResultCard,
  doneLine,
  stateAfter,
  stateBefore,
  type SubjectState,
} from '../cards/action-result-card.js';
import type { AdaptiveCardJson, CardVerb } from '../cards/alert-card.js';
import type { IdentityBook } from '../identity/identity-book.js';
import { teamsUserOf } from '../identity/identity-commands.js';
import { conversationScopeId } from '../sending/conversation-scope-id.js';
import type { GitHubLink } from '../identity/write-permission.js';
import { actingPerson, cardLine, type ActingPersonDeps } from './acting-person.js';

export const CARD_VERBS: readonly CardVerb[] = [
  'comment',
  'close',
  'reopen',
  'approve',
  'request_changes',
];

export interface CardActionDeps extends ActingPersonDeps {
  identity: IdentityBook;
  store: Store;
  logger: Logger;
  /** The tenant the activity belongs to, or undefined when it is not ours. */
  tenantOf: (context: TurnContext) => string | undefined;
}

const ID = z.string().min(1).max(200);
const requestSchema = z.object({
  repo: z.string().regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/),
  number: z.coerce.number().int().positive(),
  chainId: ID,
  nodeId: ID,
  deliveryId: ID,
  rev: z.coerce.number().int().min(0).max(10_000).default(0),
  comment: z.string().max(65_536).optional(),
  approveComment: z.string().max(65_536).optional(),
  changesComment: z.string().max(65_536).optional(),
});

/** A card action's data plus the inputs Teams merges into it. */
type ActionRequest = CardActionRequest & {
  comment?: string;
  approveComment?: string;
  changesComment?: string;
};

/** A card-action answer: a card, and whether it replaces the alert for everyone. */
export interface CardActionAnswer {
  card: AdaptiveCardJson;
  forEveryone: boolean;
}

/** Requests in flight, by identity: a second click while the first runs gets the first's answer. */
export type CardActionsInFlight = Map<string, Promise<CardActionAnswer>>;

/** Answers one click. Never throws: an unexpected failure is logged and answered with an error card. */
export async function answerCardAction(
  context: TurnContext,
  verb: CardVerb,
  raw: Record<string, unknown>,
  deps: CardActionDeps,
  inFlight: CardActionsInFlight,
): Promise<CardActionAnswer> {
  try {
    return await handle(context, verb, raw, deps, inFlight);
  } catch (error) {
    deps.logger.error({ err: error, verb }, 'card action failed unexpectedly');
    return {
      card: errorCard(
        verb,
        raw,
        'Something went wrong on my side; nothing was written. Try again in a moment.',
      ),
      forEveryone: false,
    };
  }
}

/** Checks the request, the tenant, the person's permission and the chain node, then writes once per identity. */
async function handle(
  context: TurnContext,
  verb: CardVerb,
  raw: Record<string, unknown>,
  deps: CardActionDeps,
  inFlight: CardActionsInFlight,
): Promise<CardActionAnswer> {
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success)
    return {
      card: errorCard(
        verb,
        raw,
        'This card is missing what I need to act (repository, number, chain). Open it on GitHub instead.',
      ),
      forEveryone: false,
    };
  const request: ActionRequest = { ...parsed.data, verb };
  const refuse = (text: string, detail?: string) => refusal(request, text, detail);

  const tenantId = deps.tenantOf(context);
  if (!tenantId) return refuse('Not done: this Teams tenant is not the one Reynolds serves.');
  const person = await actingPerson(
    deps,
    tenantId,
    context.activity.from?.aadObjectId || undefined,
  );
  if (person.kind === 'refused') return refuse(person.text, person.detail);
  const conversationId = conversationScopeId(context.activity.conversation.id);
  const decision = await writePermission(
    context,
    tenantId,
    conversationId,
    request,
    deps,
    person.kind === 'person' ? person.link : undefined,
  );
  if (!decision.allowed || person.kind !== 'person')
    return refuse(
      'Not done: you may not write to GitHub from here yet.',
      decision.allowed ? undefined : decision.reason,
    );

  const node = (
    await deps.store.getRecord<ChainNode>('chain_node', request.chainId, request.nodeId)
  )?.data;
  if (!node)
    return refuse(
      'Not done: this alert is older than the history Reynolds keeps (LOOP_TTL_SECONDS), so it cannot tie the act to it.',
      'Act on GitHub directly.',
    );
  if (node.repo !== undefined && node.repo.toLowerCase() !== request.repo.toLowerCase())
    return refuse('Not done: this card does not match the alert it claims to be about.');
  const isPullRequest = isReview(verb) || /\/pull\/\d+/.test(node.url ?? '');

  const key = `${tenantId}|${request.chainId}|${request.deliveryId}|${request.rev}|${verb}|${request.repo}#${request.number}|${request.comment ?? ''}|${request.approveComment ?? ''}|${request.changesComment ?? ''}`;
  let running = inFlight.get(key);
  if (!running) {
    const target: WriteTarget = {
      request,
      login: decision.githubLogin,
      node,
      isPullRequest,
      requestKey: `card:${request.deliveryId}:${request.rev}:${verb}`,
    };
    running = write(person.github, target, context, deps, tenantId).finally(() =>
      inFlight.delete(key),
    );
    inFlight.set(key, running);
  }
  return running;
}

/** Approve and request changes only exist on pull requests. */
function isReview(verb: CardVerb): boolean {
  return verb === 'approve' || verb === 'request_changes';
}

/** A refusal, for the person who clicked only; the card keeps its buttons (state before the act). */
function refusal(request: ActionRequest, text: string, detail?: string): CardActionAnswer {
  return {
    card: buildActionResultCard({
      request,
      isPullRequest: isReview(request.verb),
      outcome: { text, tone: 'attention' },
      detail,
      state: stateBefore(request.verb),
      rev: request.rev,
    }),
    forEveryone: false,
  };
}

/** May this person write here to this repository? The identity book decides, by Entra id and, when needed, sign-in name; `verified` is their GitHub sign-in. */
async function writePermission(
  context: TurnContext,
  tenantId: string,
  conversationId: string,
  request: ActionRequest,
  deps: CardActionDeps,
  verified: GitHubLink | undefined,
) {
  const user = teamsUserOf(context.activity);
  const decision = await deps.identity.mayWrite(
    tenantId,
    user,
    conversationId,
    request.repo,
    request.verb,
    verified,
  );
  if (
    !decision.allowed &&
    decision.code === 'not_allowed' &&
    (await hasUpnEntries(deps.identity, tenantId, conversationId))
  ) {
    // Activities carry no sign-in name; the roster does. Asked only when a UPN entry could match.
    const upn = await upnOf(context, deps.logger);
    if (upn)
      return deps.identity.mayWrite(
        tenantId,
        { ...user, upn },
        conversationId,
        request.repo,
        request.verb,
        verified,
      );
  }
  return decision;
}

/** What one permitted click writes, and where: the card's request, who for, and the chain node it is tied to. */
interface WriteTarget {
  request: ActionRequest;
  login: string;
  node: ChainNode;
  isPullRequest: boolean;
  /** The idempotency key of the guarded write: a retried invoke writes once. */
  requestKey: string;
}

/** The write through the guard, with the person's token, and the card that says how it went. */
async function write(
  github: GuardedGitHub,
  target: WriteTarget,
  context: TurnContext,
  deps: CardActionDeps,
  tenantId: string,
): Promise<CardActionAnswer> {
  const { request, login, node, isPullRequest } = target;
  const card = (outcome: ResultOutcome, state: SubjectState, rev: number, detail?: string) =>
    buildActionResultCard({ request, isPullRequest, url: node.url, outcome, detail, state, rev });
  let outcome: GuardOutcome<unknown> | 'empty_comment';
  try {
    outcome = await send(
      github,
      target,
      `teams:${context.activity.from?.aadObjectId ?? context.activity.from?.id} (@${login})`,
    );
  } catch (error) {
    deps.logger.warn(
      { err: error, verb: request.verb, repo: request.repo, number: request.number },
      'GitHub refused a card action',
    );
    if (statusOf(error) === 401 && context.activity.from?.aadObjectId) {
      // GitHub no longer accepts the person's token (revoked on GitHub, or expired): forget it.
      await deps.signIn?.forgetRejected(tenantId, context.activity.from.aadObjectId);
      return {
        card: card(
          {
            text: 'Not done: GitHub refused your sign-in; nothing was written.',
            tone: 'attention',
          },
          stateBefore(request.verb),
          request.rev,
          cardLine(tokenExpiredLine(login)),
        ),
        forEveryone: false,
      };
    }
    return {
      card: card(
        { text: `Not done: ${gitHubErrorLine(error, request)}`, tone: 'attention' },
        stateBefore(request.verb),
        request.rev,
        gitHubErrorDetail(error),
      ),
      forEveryone: false,
    };
  }
  if (outcome === 'empty_comment')
    return {
      card: card(
        { text: 'Not done: the comment was empty.', tone: 'attention' },
        'unknown',
        request.rev,
      ),
      forEveryone: false,
    };
  if (!outcome.done) {
    const text =
      outcome.verdict === 'break'
        ? 'Not done: Reynolds stopped this chain as a runaway loop, so it writes nothing more on it.'
        : 'Not done: the loop guard held this write back.';
    return {
      card: card(
        { text, tone: 'attention' },
        stateBefore(request.verb),
        request.rev,
        outcome.reason,
      ),
      forEveryone: false,
    };
  }
  const detail = outcome.repeated
    ? 'This was already done from this card; nothing was written twice.'
    : undefined;
  return {
    card: card(
      { text: doneLine(request.verb, login), tone: 'good' },
      stateAfter(request.verb),
      request.rev + 1,
      detail,
    ),
    forEveryone: true,
  };
}

/** The GitHub call for the verb, signed with the person it is written for; an empty comment is not sent. */
async function send(
  github: GuardedGitHub,
  target: WriteTarget,
  who: string,
): Promise<GuardOutcome<unknown> | 'empty_comment'> {
  const { request, login, node } = target;
  const trigger: WriteTrigger = {
    chainId: request.chainId,
    nodeId: request.nodeId,
    depth: node.depth,
    actorKind: 'human',
    actor: login,
  };
  const signature = `— @${login} via Reynolds`;
  const options = { requestKey: target.requestKey };
  switch (request.verb) {
    case 'comment': {
      const text = request.comment?.trim() ?? '';
      if (text === '') return 'empty_comment';
      return github.comment(
        trigger,
        who,
        request.repo,
        request.number,
        `${text}\n\n${signature}`,
        options,
      );
    }
    case 'close':
    case 'reopen':
      return github.setState(
        trigger,
        who,
        request.repo,
        request.number,
        request.verb === 'close' ? 'closed' : 'open',
        options,
      );
    case 'approve':
    case 'request_changes': {
      const note = (
        request.verb === 'approve' ? request.approveComment : request.changesComment
      )?.trim();
      const body = note ? `${note}\n\n${signature}` : signature;
      return github.review(
        trigger,
        who,
        request.repo,
        request.number,
        request.verb === 'approve' ? 'APPROVE' : 'REQUEST_CHANGES',
        body,
        options,
      );
    }
  }
}

async function hasUpnEntries(
  identity: IdentityBook,
  tenantId: string,
  conversationId: string,
): Promise<boolean> {
  return (await identity.policy(tenantId, conversationId)).allow.some((entry) =>
    entry.keys.some((key) => key.startsWith('upn:')),
  );
}

async function upnOf(context: TurnContext, logger: Logger): Promise<string | undefined> {
  try {
    const member = await TeamsInfo.getMember(context, context.activity.from.id);
    return member.userPrincipalName || undefined;
  } catch (err) {
    logger.warn(
      { err },
      'could not read the user from the Teams roster; sign-in-name (UPN) entries cannot match',
    );
    return undefined;
  }
}

/** For a request that cannot be parsed: names what it can of the card, for the person who clicked. */
function errorCard(verb: CardVerb, raw: Record<string, unknown>, text: string): AdaptiveCardJson {
  const repo =
    typeof raw['repo'] === 'string' && /^[\w.-]+\/[\w.-]+$/.test(raw['repo'])
      ? raw['repo']
      : 'unknown/unknown';
  const number =
    Number.isInteger(Number(raw['number'])) && Number(raw['number']) > 0
      ? Number(raw['number'])
      : 0;
  const request: CardActionRequest = {
    verb,
    repo,
    number,
    chainId: 'unknown',
    nodeId: 'unknown',
    deliveryId: 'unknown',
    rev: 0,
  };
  return buildActionResultCard({
    request,
    isPullRequest: false,
    outcome: { text, tone: 'attention' },
    state: 'unknown',
    rev: 0,
  });
}

type ResultOutcome = { text: string; tone: 'good' | 'attention' | 'warning' };

function statusOf(error: unknown): number | undefined {
  const status =
    typeof error === 'object' && error !== null
      ? (error as { status?: unknown }).status
      : undefined;
  return typeof status === 'number' ? status : undefined;
}

function gitHubErrorLine(error: unknown, request: CardActionRequest): string {
  const where = `${request.repo}#${request.number}`;
  switch (statusOf(error)) {
    case 404:
      return `GitHub says ${where} does not exist, or your GitHub account cannot see it (404).`;
    case 401:
    case 403:
      return `GitHub refused: your GitHub account may not do this on ${request.repo} (${statusOf(error)}).`;
    case 422:
      return `GitHub could not do this on ${where} (422).`;
    case undefined:
      return `GitHub could not be reached; nothing was written. Try again.`;
    default:
      return `GitHub answered ${statusOf(error)}; nothing was written. Try again.`;
  }
}

/** GitHub's own explanation (e.g. "Can not approve your own pull request"), without request details. */
function gitHubErrorDetail(error: unknown): string | undefined {
  const data = (
    error as { response?: { data?: { message?: unknown; errors?: unknown } } } | undefined
  )?.response?.data;
  const messages = [data?.message, ...(Array.isArray(data?.errors) ? data.errors : [])].filter(
    (m): m is string => typeof m === 'string',
  );
  return messages.length > 0 ? `GitHub: ${messages.join('; ')}` : undefined;
}
