/**
 * The fields release trains and the dependency graph read from a payload: an issue's or PR's
 * milestone, and GitHub's own issue links (`sub_issues` and `issue_dependencies` events, whose
 * shapes are in @octokit/openapi-webhooks-types; @octokit/webhooks-examples has no recording of
 * either). Never throws: a missing or mistyped field is an absent result.
 */
import type { IssueLink, WorkItemRef } from '../core/broker-event.js';
import { at, integer, isoTimestamp, text, type Json } from './payload-fields.js';

/** The milestone of the payload's issue or PR, if it has one. */
export function milestoneOf(payload: Json): { title: string; dueOn?: string } | undefined {
  const subject = at(payload, 'pull_request') ?? at(payload, 'issue');
  const title = text(at(subject, 'milestone', 'title'));
  if (title === undefined) return undefined;
  const dueOn = isoTimestamp(at(subject, 'milestone', 'due_on'));
  return dueOn === undefined ? { title } : { title, dueOn };
}

/** `https://api.github.com/repos/acme/api` → `acme/api`: every issue object carries it. */
function issueRef(issue: unknown): WorkItemRef | undefined {
  const number = integer(at(issue, 'number'));
  const match = /\/repos\/([^/]+\/[^/]+)$/.exec(text(at(issue, 'repository_url')) ?? '');
  return number === undefined || !match ? undefined : { repo: match[1]!, number };
}

/**
 * sub_issues: sub_issue_added/removed and parent_issue_added/removed name both issues; the parent
 * waits for its sub-issue. issue_dependencies: blocked_by_added/removed and blocking_added/removed
 * name the blocked and the blocking issue; the blocked one waits.
 */
export function issueLinkOf(
  event: string,
  action: string | undefined,
  payload: Json,
): IssueLink | undefined {
  const added = action?.endsWith('_added');
  if (added === undefined || (!added && !action?.endsWith('_removed'))) return undefined;
  let link: Omit<IssueLink, 'added'> | undefined;
  if (event === 'sub_issues') {
    const dependent = issueRef(at(payload, 'parent_issue'));
    const dependency = issueRef(at(payload, 'sub_issue'));
    if (dependent && dependency) link = { relation: 'sub_issue', dependent, dependency };
  } else if (event === 'issue_dependencies') {
    const dependent = issueRef(at(payload, 'blocked_issue'));
    const dependency = issueRef(at(payload, 'blocking_issue'));
    if (dependent && dependency) link = { relation: 'blocked_by', dependent, dependency };
  }
  return link && { ...link, added };
}
