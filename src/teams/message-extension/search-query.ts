/**
 * What a person types in the compose box's search, turned into GitHub issue-search syntax:
 * `repo:owner/name`, `#123`, `author:login`, `state:open|closed|merged|draft`, `is:issue|is:pr`
 * and free text. Without a `repo:`, the search covers the tenant's subscriptions (repositories,
 * and whole owners as `org:`).
 */
import type { SubscriptionScope } from '../../routing/subscriptions/subscription.js';

export type SearchState = 'open' | 'closed' | 'merged' | 'draft';

export interface ParsedSearch {
  repo?: string;
  number?: number;
  author?: string;
  state?: SearchState;
  kind?: 'issue' | 'pr';
  text: string;
}

const REPO = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
/** GitHub refuses queries with more than five AND/OR/NOT operators; OR-ed scopes count. */
const MAX_SCOPES = 5;

export function parseSearch(input: string): ParsedSearch {
  const parsed: ParsedSearch = { text: '' };
  const words: string[] = [];
  for (const token of input
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '')) {
    const lower = token.toLowerCase();
    const [key, ...rest] = token.split(':');
    const value = rest.join(':');
    if (lower.startsWith('repo:') && REPO.test(value)) parsed.repo = value;
    else if (/^#\d{1,9}$/.test(token)) parsed.number = Number(token.slice(1));
    else if (lower.startsWith('author:') && LOGIN.test(value.replace(/^@/, '')))
      parsed.author = value.replace(/^@/, '');
    else if (
      lower.startsWith('state:') &&
      ['open', 'closed', 'merged', 'draft'].includes(value.toLowerCase())
    )
      parsed.state = value.toLowerCase() as SearchState;
    else if (lower === 'is:issue' || lower === 'is:pr')
      parsed.kind = lower === 'is:pr' ? 'pr' : 'issue';
    else if (key && rest.length > 0 && /^(is|state|author|repo)$/i.test(key))
      words.push(`"${token.replaceAll('"', '')}"`); // a qualifier we do not take stays text, quoted
    else words.push(token.replaceAll('"', ''));
  }
  parsed.text = words.join(' ').trim();
  return parsed;
}

/**
 * The GitHub search string. Merged and draft imply pull requests. With nothing typed, it asks for
 * open pull requests (the compose box's empty state).
 */
export function buildSearchQuery(
  parsed: ParsedSearch,
  scopes: readonly SubscriptionScope[],
): string {
  const parts: string[] = [];
  const kind =
    parsed.state === 'merged' || parsed.state === 'draft' || parsed.kind === 'pr'
      ? 'pr'
      : parsed.kind;
  const empty =
    parsed.text === '' &&
    parsed.number === undefined &&
    parsed.author === undefined &&
    parsed.state === undefined &&
    parsed.kind === undefined;
  parts.push(kind === 'pr' || empty ? 'is:pr' : kind === 'issue' ? 'is:issue' : '');
  if (parsed.state === 'merged') parts.push('is:merged');
  else if (parsed.state === 'draft') parts.push('is:open', 'draft:true');
  else if (parsed.state === 'closed')
    parts.push('is:closed', ...(kind === 'pr' ? ['is:unmerged'] : []));
  else if (parsed.state === 'open' || empty) parts.push('is:open');
  if (parsed.author) parts.push(`author:${parsed.author}`);
  // Search has no number qualifier; the extension looks a number up directly when it knows the repo.
  if (parsed.number !== undefined) parts.push(String(parsed.number));
  if (parsed.text) parts.push(parsed.text);
  if (parsed.repo) parts.push(`repo:${parsed.repo}`);
  else
    parts.push(
      ...scopes
        .slice(0, MAX_SCOPES)
        .map((s) => (s.repo === undefined ? `org:${s.owner}` : `repo:${s.owner}/${s.repo}`)),
    );
  return parts.filter((p) => p !== '').join(' ');
}

/** Distinct scopes in a stable order (so one tenant's query is one cache key), repositories under a subscribed owner folded into the owner. */
export function distinctScopes(scopes: readonly SubscriptionScope[]): SubscriptionScope[] {
  const owners = new Set(
    scopes.filter((s) => s.repo === undefined).map((s) => s.owner.toLowerCase()),
  );
  const seen = new Set<string>();
  const out: SubscriptionScope[] = [];
  for (const s of scopes) {
    if (s.repo !== undefined && owners.has(s.owner.toLowerCase())) continue;
    const key = `${s.owner}/${s.repo ?? ''}`.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s.repo === undefined ? { owner: s.owner } : { owner: s.owner, repo: s.repo });
  }
  const keyOf = (s: SubscriptionScope) => `${s.owner}/${s.repo ?? ''}`.toLowerCase();
  return out.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}
