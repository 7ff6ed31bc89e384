/**
 * Who an event concerns, in the order a card should name them: the people assigned, the reviewers
 * being waited for, the author, the people the text addresses, then the code owners of what
 * changed. Bots are left out: a card cannot ask a bot to do anything.
 */
import type { BrokerEvent } from '../../core/broker-event.js';
import type { CodeOwners } from './codeowners.js';
import { mentionsIn } from './mentions.js';

export interface StakeholderInput {
  codeowners?: CodeOwners | undefined;
  /** Paths the event changed, when known. */
  changedPaths?: readonly string[] | undefined;
}

export interface Stakeholders {
  stakeholders: string[];
  mentioned: string[];
  /** CODEOWNERS owners of the changed paths, as stakeholders (`@` dropped, emails left out). */
  codeOwners: string[];
}

export function stakeholdersOf(event: BrokerEvent, input: StakeholderInput = {}): Stakeholders {
  const mentioned = mentionsIn(event.body);
  const codeOwners = codeOwnersOf(input);
  const found = new Map<string, string>();
  const add = (login: string | undefined): void => {
    if (login === undefined || login.endsWith('[bot]')) return;
    const key = login.toLowerCase();
    if (!found.has(key)) found.set(key, login);
  };
  event.assignees?.forEach(add);
  requestedReviewersOf(event).forEach(add);
  add(event.author);
  mentioned.forEach(add);
  codeOwners.forEach(add);
  return { stakeholders: [...found.values()], mentioned, codeOwners };
}

/**
 * The reviewers still being waited for. On `review_requested` the newly asked reviewer comes first
 * (whom this event is about); on `review_request_removed` that reviewer is no longer waited for,
 * whatever the payload's list still says.
 */
export function requestedReviewersOf(event: BrokerEvent): string[] {
  const listed = event.requestedReviewers ?? [];
  const changed = event.changedReviewer;
  if (changed === undefined) return listed;
  const others = listed.filter((reviewer) => reviewer.toLowerCase() !== changed.toLowerCase());
  if (event.action === 'review_requested') return [changed, ...others];
  if (event.action === 'review_request_removed') return others;
  return listed;
}

/** `@login` → `login`, `@org/team` → `org/team`; emails are not GitHub logins, so they are dropped. */
function codeOwnersOf(input: StakeholderInput): string[] {
  const paths = input.changedPaths;
  if (input.codeowners === undefined || paths === undefined || paths.length === 0) return [];
  return input.codeowners
    .ownersFor(paths)
    .filter((owner) => owner.startsWith('@'))
    .map((owner) => owner.slice(1));
}
