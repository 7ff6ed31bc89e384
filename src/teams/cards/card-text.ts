/**
 * Text helpers for Adaptive Cards: turning GitHub's markdown and HTML into the little markdown a
 * card renders (bold, italic, lists, links), cutting excerpts, building safe links, and the colours
 * that go with priorities, states and severities.
 *
 * Everything shown on a card passes through `plain` or `excerpt`: text from GitHub is untrusted,
 * and a stray `*`, `[`, HTML comment or `{{DATE(...)}}` would otherwise render as something else.
 */
import type { Severity } from '../../core/broker-event.js';
import type { Category, Priority, Urgency } from '../../core/classification.js';

/** How much of a body a card shows: enough to recognise it, little enough to keep cards short. */
export const EXCERPT_LIMIT = 300;
/**
 * How much raw text `excerpt` reads. Comments, tags and link targets it strips are long, so it reads
 * more than it keeps; bounding it keeps a megabyte body as cheap as a short one.
 */
const EXCERPT_WINDOW = 4_000;
/** One-line texts (titles, names) longer than this are cut; a card is not the place to read them. */
export const LINE_LIMIT = 200;

/** ContainerStyle and Colors values of the Adaptive Card 1.5 schema that cards use. */
export type CardStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
export type CardColor = 'default' | 'good' | 'attention' | 'warning' | 'accent';

export interface Badge {
  text: string;
  style: CardStyle;
  color: CardColor;
}

/** P0 red, P1 amber, P2 blue, P3 plain: the badge a person scans a channel by. */
const PRIORITY_COLOURS: Readonly<Record<Priority, CardColor>> = {
  P0: 'attention',
  P1: 'warning',
  P2: 'accent',
  P3: 'default',
};

export function priorityBadge(priority: Priority): Badge {
  const colour = PRIORITY_COLOURS[priority];
  return { text: priority, style: colour, color: colour };
}

const CATEGORY_WORDS: Readonly<Record<Category, string>> = {
  security: 'Security',
  ci_failure: 'CI failure',
  release: 'Release',
  review_request: 'Review request',
  incident: 'Incident',
  dependency_update: 'Dependency update',
  discussion: 'Discussion',
  housekeeping: 'Housekeeping',
  activity: 'Activity',
};

const URGENCY_WORDS: Readonly<Record<Urgency, string>> = {
  immediate: 'act now',
  today: 'today',
  this_week: 'this week',
  whenever: 'FYI',
};

export function categoryLine(category: Category, urgency: Urgency): string {
  return `${CATEGORY_WORDS[category]} · ${URGENCY_WORDS[urgency]}`;
}

const GOOD_STATES = new Set([
  'success',
  'merged',
  'approved',
  'fixed',
  'published',
  'released',
  'built',
  'resolved',
  'answered',
  'completed',
  'active',
]);
const BAD_STATES = new Set([
  'failure',
  'failed',
  'error',
  'errored',
  'timed_out',
  'startup_failure',
  'action_required',
  'changes_requested',
  'inactive',
]);
const WAITING_STATES = new Set([
  'pending',
  'queued',
  'waiting',
  'requested',
  'in_progress',
  'stale',
  'dismissed',
  'draft',
  'prerelease',
]);

/** The colour of a state word: green done, red broken, amber waiting, blue open, plain otherwise. */
export function stateColor(state: string, family: string): CardColor {
  // An open security alert is a problem still standing, not work in progress.
  if (family === 'security' && state === 'open') return 'attention';
  if (GOOD_STATES.has(state)) return 'good';
  if (BAD_STATES.has(state)) return 'attention';
  if (WAITING_STATES.has(state)) return 'warning';
  if (state === 'open') return 'accent';
  return 'default';
}

/** `timed_out` → `Timed out`: GitHub's words, readable. */
export function stateLabel(state: string): string {
  const words = state.replaceAll('_', ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const SEVERITY_COLOURS: Readonly<Record<Severity, CardColor>> = {
  critical: 'attention',
  high: 'attention',
  medium: 'warning',
  low: 'default',
};

export function severityBadge(severity: Severity): Badge {
  const colour = SEVERITY_COLOURS[severity];
  return { text: stateLabel(severity), style: colour, color: colour };
}

/** Any HTML comment, closed or cut off by a window: our chain markers are hidden comments. */
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
/** Opening, closing and self-closing tags; `a < b` has no letter after `<` and stays. */
const HTML_TAG = /<\/?[A-Za-z][^<>\n]*>/g;
/** A markdown link's `(target)`, allowing one level of parentheses inside (`/wiki/Foo_(bar)`). */
const LINK_TARGET = String.raw`\((?:[^()\n]|\([^()\n]*\))*\)`;
const MARKDOWN_IMAGE = new RegExp(String.raw`!\[([^\]\n]*)\]${LINK_TARGET}`, 'g');
const MARKDOWN_LINK = new RegExp(String.raw`\[([^\]\n]*)\]${LINK_TARGET}`, 'g');
/** Characters card markdown acts on: emphasis, links, code, and the escape itself. */
const MARKDOWN_ACTIVE = /[\\`*_[\]]/g;

/**
 * Escapes what card markdown would act on, and defuses two things that are not markdown:
 * `{{DATE(...)}}`/`{{TIME(...)}}`, which cards format as dates, and `${...}`, which a templating
 * host would evaluate. Backslash escapes are CommonMark, which Teams' renderers follow.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_ACTIVE, '\\$&').replaceAll('${', '$\\{').replaceAll('{{', '{\\{');
}

/**
 * Text for one line of a card: no line breaks, no HTML comments, escaped, at most `limit`
 * characters. Tags stay: a title about `<details>` means the words, and cards show them as text.
 */
/**
 * One line for a card's `fallbackText` or an activity's text: plain text, not markdown, so nothing
 * is escaped (`auto-triage[bot]` stays as it is), only comments dropped and whitespace folded.
 */
export function plainLine(text: string, limit = LINE_LIMIT): string {
  return cut(text.replace(HTML_COMMENT, '').replace(/\s+/g, ' ').trim(), limit);
}

export function plain(text: string, limit = LINE_LIMIT): string {
  const flat = text.replace(HTML_COMMENT, '').replace(/\s+/g, ' ').trim();
  return escapeMarkdown(cut(flat, limit));
}

/**
 * The first EXCERPT_LIMIT characters of a body as card text, or undefined when nothing readable
 * is left. Comments (our markers among them), tags, images, link targets, headings, quotes and
 * code fences are stripped rather than escaped, because a reader wants the words, not the markup.
 */
export function excerpt(body: string | undefined, limit = EXCERPT_LIMIT): string | undefined {
  if (body === undefined) return undefined;
  const text = body
    .slice(0, EXCERPT_WINDOW)
    .replace(/\r\n?/g, '\n')
    .replace(HTML_COMMENT, '')
    .replace(/^[ \t]*(?:`{3,}|~{3,}).*$/gm, '') // code fences; the code itself stays, escaped
    .replace(MARKDOWN_IMAGE, '$1') // images: their alt text
    .replace(MARKDOWN_LINK, '$1') // links: their text
    .replace(HTML_TAG, '')
    .replace(/^[ \t]*#{1,6}[ \t]+/gm, '') // headings: cards have none
    .replace(/^[ \t]*>[ \t]?/gm, '') // quotes: cards have none
    .replace(/^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$/gm, '') // horizontal rules
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text === '' ? undefined : escapeMarkdown(cut(text, limit));
}

/** Cuts at a word boundary near `limit` and marks the cut with an ellipsis. */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const head = text.slice(0, limit);
  const space = head.search(/\s\S*$/);
  // Back off to the last space unless that loses most of the text (one long word or URL).
  const end = space > limit * 0.6 ? space : limit;
  return `${head.slice(0, end).trimEnd()}…`;
}

/**
 * The URL when it is absolute http(s), with parentheses encoded so it can sit inside a markdown
 * link; else undefined. A payload's `html_url` is data, and a `javascript:` URL in a card is not.
 */
export function safeUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return parsed.href.replaceAll('(', '%28').replaceAll(')', '%29');
}

/** A markdown link when the URL is safe, else the plain text. */
export function link(text: string, url: string | undefined): string {
  const safe = safeUrl(url);
  const label = plain(text);
  return safe === undefined ? label : `[${label}](${safe})`;
}

/** `a · b · c` from a list, each item escaped, at most `max` of them and a count of the rest. */
export function compactList(items: readonly string[] | undefined, max = 6): string | undefined {
  if (items === undefined || items.length === 0) return undefined;
  const shown = items.slice(0, max).map((item) => plain(item, 60));
  const more = items.length - shown.length;
  return more > 0 ? `${shown.join(' · ')} · +${more} more` : shown.join(' · ');
}
