/**
 * The people a Markdown body @mentions, the way GitHub reads them: not inside code (fenced blocks
 * or inline spans) and not inside HTML comments, where GitHub renders nothing and where Reynolds's
 * own chain markers live. Indented code blocks are not recognised: telling them from indented list
 * content needs a full Markdown parser, and a stray extra stakeholder costs little.
 */

/** At most this many mentions are kept: a body pinging a whole org should not fan out without limit. */
export const MENTION_LIMIT = 50;

const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
/** A fence opens with three or more backticks or tildes, indented at most three spaces. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** A code span: a run of backticks, anything, the same run again (CommonMark's rule, lines included). */
const CODE_SPAN = /(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g;
/**
 * `@login` (alphanumerics and single inner hyphens, at most 39) or `@org/team`. Not after a word
 * character, so `someone@example.com` is an address, not a mention.
 */
const MENTION =
  /(?<![A-Za-z0-9_`@/.])@([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})(?:\/([A-Za-z0-9][A-Za-z0-9_.-]{0,99}))?(?![A-Za-z0-9_-])/g;

/** Logins (teams as `org/team`) mentioned in `body`, first seen first, deduplicated ignoring case. */
export function mentionsIn(body: string | undefined): string[] {
  if (body === undefined) return [];
  const prose = withoutFencedCode(body.replace(HTML_COMMENT, ' ')).replace(CODE_SPAN, ' ');
  const found = new Map<string, string>();
  for (const match of prose.matchAll(MENTION)) {
    const [, login, team] = match;
    if (login === undefined) continue;
    // A sentence ending right after a team (`ask @org/team.`) does not make the dot part of it.
    const teamSlug = team?.replace(/\.+$/, '');
    const mention = teamSlug ? `${login}/${teamSlug}` : login;
    if (!found.has(mention.toLowerCase())) found.set(mention.toLowerCase(), mention);
    if (found.size >= MENTION_LIMIT) break;
  }
  return [...found.values()];
}

/** Drops fenced code blocks; an unclosed fence runs to the end, as CommonMark says. */
function withoutFencedCode(text: string): string {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const opener = FENCE.exec(line)?.[1];
    if (fence === undefined) {
      if (opener !== undefined) fence = opener;
      else kept.push(line);
    } else if (
      opener !== undefined &&
      opener[0] === fence[0] &&
      opener.length >= fence.length &&
      isBareFence(line)
    ) {
      fence = undefined;
    }
  }
  return kept.join('\n');
}

/** A closing fence carries nothing after its backticks or tildes but spaces. */
function isBareFence(line: string): boolean {
  return /^ {0,3}(`{3,}|~{3,})[ \t]*$/.test(line);
}
