/**
 * Reads what people write in PR and issue bodies about other work items:
 *  - dependencies: "depends on", "blocked by", "requires", "after", each followed by one or more
 *    references (`owner/repo#N`, `#N` in the same repository, or a github.com issue/PR URL);
 *  - closing keywords, as GitHub defines them (close, closes, closed, fix, fixes, fixed, resolve,
 *    resolves, resolved; an optional colon; case-insensitive), which link a PR to the issue it
 *    closes;
 *  - `Reverts owner/repo#N`, the line GitHub's revert button writes.
 * Fenced and inline code are skipped (a pasted log saying "requires #3" is not a dependency).
 * Never throws, and bounded: bodies are already capped upstream (BODY_LIMIT) and at most
 * MAX_REFERENCES references are kept, so a hostile body cannot swell the graph.
 */
import type { WorkItemRef } from '../core/broker-event.js';
import { formatRef, sameRef } from './work-item-ref.js';

export interface DependencyMentions {
  dependsOn: WorkItemRef[];
  closes: WorkItemRef[];
  reverts: WorkItemRef[];
}

/** More than this in one body is noise, not a plan; the first ones are kept. */
export const MAX_REFERENCES = 50;

const OWNER_REPO = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\\/[A-Za-z0-9._-]{1,100}';
const REFERENCE = `(?:https?:\\/\\/github\\.com\\/(${OWNER_REPO})\\/(?:issues|pull)\\/(\\d{1,9})|(${OWNER_REPO})#(\\d{1,9})|(?<![\\w/])#(\\d{1,9}))(?![\\w#/])`;
/** Either a comma, `and` or `&` with any spaces around it, or spaces alone: one way to match each. */
const SEPARATOR = '(?:\\s*(?:,|\\band\\b|&)\\s*|\\s+)';
/** A keyword then a list of references: `depends on #1, acme/api#2 and #3`. */
const listAfter = (keywords: string) =>
  new RegExp(`\\b(?:${keywords})\\b:?\\s+(${REFERENCE}(?:${SEPARATOR}${REFERENCE})*)`, 'gi');

const DEPENDS = listAfter('depends\\s+on|blocked\\s+by|requires|after');
const CLOSES = listAfter('close[sd]?|fix(?:e[sd])?|resolve[sd]?');
const REVERTS = listAfter('reverts');
const ONE_REFERENCE = new RegExp(REFERENCE, 'g');

export function parseDependencyMentions(
  body: string | undefined,
  home: string,
): DependencyMentions {
  const result: DependencyMentions = { dependsOn: [], closes: [], reverts: [] };
  if (!body) return result;
  const text = body.replace(/```[\s\S]*?(?:```|$)/g, ' ').replace(/`[^`\n]*`/g, ' ');
  let kept = 0;
  for (const [pattern, into] of [
    [DEPENDS, result.dependsOn],
    [CLOSES, result.closes],
    [REVERTS, result.reverts],
  ] as const) {
    for (const list of text.matchAll(pattern)) {
      for (const match of list[1]!.matchAll(ONE_REFERENCE)) {
        if (kept >= MAX_REFERENCES) return result;
        const ref = toRef(match, home);
        if (!ref || ref.number === 0 || into.some((seen) => sameRef(seen, ref))) continue;
        into.push(ref);
        kept += 1;
      }
    }
  }
  return result;
}

function toRef(match: RegExpMatchArray, home: string): WorkItemRef | undefined {
  const [, urlRepo, urlNumber, repo, number, local] = match;
  if (urlRepo && urlNumber) return { repo: urlRepo, number: Number(urlNumber) };
  if (repo && number) return { repo, number: Number(number) };
  if (local) return { repo: home, number: Number(local) };
  return undefined;
}

/** For logs and tests: the references as `owner/repo#N`. */
export function describeMentions(mentions: DependencyMentions): string {
  const list = (refs: WorkItemRef[]) => refs.map(formatRef).join(', ') || '-';
  return `depends on ${list(mentions.dependsOn)}; closes ${list(mentions.closes)}; reverts ${list(mentions.reverts)}`;
}
