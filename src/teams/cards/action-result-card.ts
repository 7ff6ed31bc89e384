/**
 * Cards that answer a card action: done ("Closed by @octocat via Reynolds"), refused (not linked,
 * not allowed, the loop guard said no) or failed (GitHub answered 404/403/422...). Each keeps the
 * write actions that still make sense, with the card's revision moved on after a write, so a click
 * on the new card is a new request while a double click on the old one is the same request.
 */
import { link, plain, safeUrl } from './card-text.js';
import { type AdaptiveCardJson, type CardActionData, type CardVerb, expand } from './alert-card.js';
import { actionResultTemplate } from './templates/action-result.js';

/** The data of a card action as the handler received it (revision 0 on the alert card itself). */
export interface CardActionRequest extends Omit<CardActionData, 'verb'> {
  verb: CardVerb;
  rev: number;
}

export type SubjectState = 'open' | 'closed' | 'unknown';

export interface ResultCardInput {
  request: CardActionRequest;
  isPullRequest: boolean;
  /** The subject's page on GitHub, when known (from the alert's chain node). */
  url?: string;
  outcome: { text: string; tone: 'good' | 'attention' | 'warning' };
  detail?: string;
  /** State of the subject now, which decides the buttons offered. */
  state: SubjectState;
  /** The revision the offered buttons carry: one more than the request's after a write. */
  rev: number;
}

const GITHUB = 'https://github.com';

export function buildActionResultCard(input: ResultCardInput): AdaptiveCardJson {
  const { request } = input;
  const repoUrl = `${GITHUB}/${request.repo.split('/').map(encodeURIComponent).join('/')}`;
  const url =
    safeUrl(input.url) ?? `${repoUrl}/${input.isPullRequest ? 'pull' : 'issues'}/${request.number}`;
  const data = (verb: CardVerb) => ({
    verb,
    repo: request.repo,
    number: request.number,
    chainId: request.chainId,
    nodeId: request.nodeId,
    deliveryId: request.deliveryId,
    rev: input.rev,
  });
  const open = input.state === 'open';
  const act = Object.fromEntries(
    Object.entries({
      comment: data('comment'),
      close: open ? data('close') : undefined,
      reopen: input.state === 'closed' ? data('reopen') : undefined,
      approve: open && input.isPullRequest ? data('approve') : undefined,
      requestChanges: open && input.isPullRequest ? data('request_changes') : undefined,
    }).filter(([, value]) => value !== undefined),
  );
  const title = `${input.isPullRequest ? 'Pull request' : 'Issue'} ${request.repo}#${request.number}`;
  const view = {
    repo: link(request.repo, repoUrl),
    title: link(title, url),
    outcome: { text: plain(input.outcome.text, 300), color: input.outcome.tone },
    ...(input.detail !== undefined &&
      input.detail.trim() !== '' && { detail: plain(input.detail, 600) }),
    url,
    act,
    fallbackText: plain(`${title}: ${input.outcome.text}`),
  };
  return expand('action_result', actionResultTemplate, view);
}

/** What the subject's state is before and after a verb, as far as the verb tells. */
export function stateBefore(verb: CardVerb): SubjectState {
  return verb === 'reopen' ? 'closed' : verb === 'comment' ? 'unknown' : 'open';
}

export function stateAfter(verb: CardVerb): SubjectState {
  return verb === 'close' ? 'closed' : verb === 'comment' ? 'unknown' : 'open';
}

export function doneLine(verb: CardVerb, login: string): string {
  const what = {
    comment: 'Commented',
    close: 'Closed',
    reopen: 'Reopened',
    approve: 'Approved',
    request_changes: 'Changes requested',
  }[verb];
  return `${what} by @${login} via Reynolds`;
}
