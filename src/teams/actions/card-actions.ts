/**
 * Card actions: the Action.Execute buttons on issue and pull-request alert cards (comment,
 * close/reopen, approve, request changes), handled by the Teams AI application.
 *
 * Each click: who is it (Entra id) → may they write here to this repository (identity book) →
 * which chain node is the card about (the act is tied to it, so a loop cannot be driven from a
 * card and a broken chain refuses) → the write, through the write guard, with the card's identity
 * in the request key (a double click or a retried invoke writes once) → a card that says what
 * happened, which replaces the alert card for everyone, or, when refused or failed, a card that
 * says why, for the person who clicked only. Nothing here throws at Teams.
 *
 * Reynolds writes with its own GitHub credentials; what it writes names the person it wrote for
 * ("— @login via Reynolds"), and the chain's audit keeps the Teams user.
 */
import type { Application, TurnState } from '@microsoft/teams-ai';
import { CardFactory, MessageFactory, TeamsInfo, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import type { ChainNode } from '../../core/chain-records.js';
import type { GuardedGitHub } from '../../loops/guarded-github.js';
import type { GuardOutcome, WriteTrigger } from '../../loops/write-guard.js';
import type { Store } from '../../store/store.js';
import { type CardActionRequest, buildActionResultCard, doneLine, stateAfter, stateBefore, type SubjectState } from '../cards/action-result-card.js';
import type { AdaptiveCardJson, CardVerb } from '../cards/alert-card.js';
import type { IdentityBook } from '../identity/identity-book.js';
import { teamsUserOf } from '../identity/identity-commands.js';

export const CARD_VERBS: readonly CardVerb[] = ['comment', 'close', 'reopen', 'approve', 'request_changes'];

export interface CardActionDeps {
  identity: IdentityBook;
  /** Absent when Reynolds has no GitHub credentials: then cards carry no write buttons either. */
  github?: GuardedGitHub;
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
type ActionRequest = CardActionRequest & { comment?: string; approveComment?: string; changesComment?: string };

/** How the card-action answer looks: a card, and whether it replaces the alert for everyone. */
interface Answer {
  card: AdaptiveCardJson;
  forEveryone: boolean;
}

export function registerCardActions(app: Application<TurnState>, deps: CardActionDeps): void {
  /** Requests in flight, by identity: a second click while the first runs gets the first's answer. */
  const inFlight = new Map<string, Promise<Answer>>();

  for (const verb of CARD_VERBS) {
    app.adaptiveCards.actionExecute(verb, async (context, _state, raw: Record<string, unknown>) => {
      let answer: Answer;
      try {
        answer = await handle(context, verb, raw);
      } catch (error) {
        deps.logger.error({ err: error, verb }, 'card action failed unexpectedly');
        answer = { card: errorCard(verb, raw, 'Something went wrong on my side; nothing was written. Try again in a moment.'), forEveryone: false };
      }
      if (answer.forEveryone && context.activity.replyToId) {
        // Everyone in the conversation sees the new state, not just the person who clicked.
        const update = MessageFactory.attachment(CardFactory.adaptiveCard(answer.card));
        update.id = context.activity.replyToId;
        await context.updateActivity(update).catch((err: unknown) => deps.logger.warn({ err }, 'could not update the alert card for everyone; the person who clicked sees the result'));
      }
      return answer.card;
    });
  }

  async function handle(context: TurnContext, verb: CardVerb, raw: Record<string, unknown>): Promise<Answer> {
    const parsed = requestSchema.safeParse(raw);
    if (!parsed.success) return { card: errorCard(verb, raw, 'This card is missing what I need to act (repository, number, chain). Open it on GitHub instead.'), forEveryone: false };
    const request: ActionRequest = { ...parsed.data, verb };
    const refuse = (text: string, detail?: string, isPullRequest = verb === 'approve' || verb === 'request_changes') =>
      ({ card: buildActionResultCard({ request, isPullRequest, outcome: { text, tone: 'attention' }, detail, state: stateBefore(verb), rev: request.rev }), forEveryone: false });

    const tenantId = deps.tenantOf(context);
    if (!tenantId) return refuse('Not done: this Teams tenant is not the one Reynolds serves.');
    if (!deps.github) return refuse('Not done: Reynolds has no GitHub credentials, so it cannot write.', 'An admin can set GITHUB_TOKEN.');
    const conversationId = context.activity.conversation.id.split(';messageid=')[0]!;
    const user = teamsUserOf(context.activity);
    let decision = await deps.identity.mayWrite(tenantId, user, conversationId, request.repo, verb);
    if (!decision.allowed && decision.code === 'not_allowed' && (await hasUpnEntries(tenantId, conversationId))) {
      // Activities carry no sign-in name; the roster does. Asked only when a UPN entry could match.
      const upn = await upnOf(context);
      if (upn) decision = await deps.identity.mayWrite(tenantId, { ...user, upn }, conversationId, request.repo, verb);
    }
    if (!decision.allowed) return refuse('Not done: you may not write to GitHub from here yet.', decision.reason);

    const node = (await deps.store.getRecord<ChainNode>('chain_node', request.chainId, request.nodeId))?.data;
    if (!node) return refuse('Not done: this alert is older than the history Reynolds keeps (LOOP_TTL_SECONDS), so it cannot tie the act to it.', 'Act on GitHub directly.');
    if (node.repo !== undefined && node.repo.toLowerCase() !== request.repo.toLowerCase()) return refuse('Not done: this card does not match the alert it claims to be about.');
    const isPullRequest = verb === 'approve' || verb === 'request_changes' || /\/pull\/\d+/.test(node.url ?? '');

    const key = `${tenantId}|${request.chainId}|${request.deliveryId}|${request.rev}|${verb}|${request.repo}#${request.number}|${request.comment ?? ''}|${request.approveComment ?? ''}|${request.changesComment ?? ''}`;
    let running = inFlight.get(key);
    if (!running) {
      running = write(request, decision.githubLogin, node, isPullRequest, `card:${request.deliveryId}:${request.rev}:${verb}`, context).finally(() => inFlight.delete(key));
      inFlight.set(key, running);
    }
    return running;
  }

  async function write(request: ActionRequest, login: string, node: ChainNode, isPullRequest: boolean, requestKey: string, context: TurnContext): Promise<Answer> {
    const github = deps.github!;
    const trigger: WriteTrigger = { chainId: request.chainId, nodeId: request.nodeId, depth: node.depth, actorKind: 'human', actor: login };
    const who = `teams:${context.activity.from?.aadObjectId ?? context.activity.from?.id} (@${login})`;
    const signature = `— @${login} via Reynolds`;
    const options = { requestKey };
    const card = (outcome: ResultOutcome, state: SubjectState, rev: number, detail?: string) =>
      buildActionResultCard({ request, isPullRequest, url: node.url, outcome, detail, state, rev });
    let outcome: GuardOutcome<unknown>;
    try {
      switch (request.verb) {
        case 'comment': {
          const text = request.comment?.trim() ?? '';
          if (text === '') return { card: card({ text: 'Not done: the comment was empty.', tone: 'attention' }, 'unknown', request.rev), forEveryone: false };
          outcome = await github.comment(trigger, who, request.repo, request.number, `${text}\n\n${signature}`, options);
          break;
        }
        case 'close':
        case 'reopen':
          outcome = await github.setState(trigger, who, request.repo, request.number, request.verb === 'close' ? 'closed' : 'open', options);
          break;
        case 'approve':
        case 'request_changes': {
          const note = (request.verb === 'approve' ? request.approveComment : request.changesComment)?.trim();
          const body = note ? `${note}\n\n${signature}` : signature;
          outcome = await github.review(trigger, who, request.repo, request.number, request.verb === 'approve' ? 'APPROVE' : 'REQUEST_CHANGES', body, options);
          break;
        }
      }
    } catch (error) {
      deps.logger.warn({ err: error, verb: request.verb, repo: request.repo, number: request.number }, 'GitHub refused a card action');
      return { card: card({ text: `Not done: ${gitHubErrorLine(error, request)}`, tone: 'attention' }, stateBefore(request.verb), request.rev, gitHubErrorDetail(error)), forEveryone: false };
    }
    if (!outcome.done) {
      const text = outcome.verdict === 'break' ? 'Not done: Reynolds stopped this chain as a runaway loop, so it writes nothing more on it.' : 'Not done: the loop guard held this write back.';
      return { card: card({ text, tone: 'attention' }, stateBefore(request.verb), request.rev, outcome.reason), forEveryone: false };
    }
    const detail = outcome.repeated ? 'This was already done from this card; nothing was written twice.' : undefined;
    return { card: card({ text: doneLine(request.verb, login), tone: 'good' }, stateAfter(request.verb), request.rev + 1, detail), forEveryone: true };
  }

  async function hasUpnEntries(tenantId: string, conversationId: string): Promise<boolean> {
    return (await deps.identity.policy(tenantId, conversationId)).allow.some((entry) => entry.keys.some((key) => key.startsWith('upn:')));
  }

  async function upnOf(context: TurnContext): Promise<string | undefined> {
    try {
      const member = await TeamsInfo.getMember(context, context.activity.from.id);
      return member.userPrincipalName || undefined;
    } catch (err) {
      deps.logger.warn({ err }, 'could not read the user from the Teams roster; sign-in-name (UPN) entries cannot match');
      return undefined;
    }
  }

  function errorCard(verb: CardVerb, raw: Record<string, unknown>, text: string): AdaptiveCardJson {
    const repo = typeof raw['repo'] === 'string' && /^[\w.-]+\/[\w.-]+$/.test(raw['repo']) ? raw['repo'] : 'unknown/unknown';
    const number = Number.isInteger(Number(raw['number'])) && Number(raw['number']) > 0 ? Number(raw['number']) : 0;
    const request: CardActionRequest = { verb, repo, number, chainId: 'unknown', nodeId: 'unknown', deliveryId: 'unknown', rev: 0 };
    return buildActionResultCard({ request, isPullRequest: false, outcome: { text, tone: 'attention' }, state: 'unknown', rev: 0 });
  }
}

type ResultOutcome = { text: string; tone: 'good' | 'attention' | 'warning' };

function statusOf(error: unknown): number | undefined {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}

function gitHubErrorLine(error: unknown, request: CardActionRequest): string {
  const where = `${request.repo}#${request.number}`;
  switch (statusOf(error)) {
    case 404:
      return `GitHub says ${where} does not exist, or Reynolds's credentials cannot see it (404).`;
    case 401:
    case 403:
      return `GitHub refused: Reynolds's credentials may not do this on ${request.repo} (${statusOf(error)}).`;
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
  const data = (error as { response?: { data?: { message?: unknown; errors?: unknown } } } | undefined)?.response?.data;
  const messages = [data?.message, ...(Array.isArray(data?.errors) ? data.errors : [])].filter((m): m is string => typeof m === 'string');
  return messages.length > 0 ? `GitHub: ${messages.join('; ')}` : undefined;
}
