/**
 * A CODEOWNERS file, read the way GitHub reads it
 * (docs.github.com: "About code owners"):
 * - one rule a line: a path pattern, then owners (`@user`, `@org/team`, or an email); `#` starts a
 *   comment, at the start of a line or in place of an owner; blank lines are ignored;
 * - the LAST matching rule wins, and a rule without owners leaves its paths unowned;
 * - patterns follow .gitignore: `*` and `?` stay within one path segment, `**` spans segments, a
 *   leading or inner `/` anchors the pattern to the repository root, a pattern without one matches
 *   at any depth, a trailing `/` matches only directories (so everything beneath them), and a
 *   pattern naming a directory owns everything beneath it;
 * - except where GitHub differs from .gitignore: `docs/*` owns only files directly in docs/, and
 *   `!` negation and `[ ]` ranges are not supported, so such a line is reported and skipped, as
 *   GitHub skips a line with invalid syntax;
 * - paths are case-sensitive.
 * Owners are returned as written (`@org/team` stays a team; it is not expanded to members).
 *
 * Why a matcher of our own: minimatch is in node_modules only as a transitive dev dependency (of
 * mocha and glob), so a production install (`npm ci --omit=dev`) would not have it, and this core
 * may not add dependencies. It would not fit anyway: anchoring, directory ownership and the
 * `docs/*` rule are CODEOWNERS/.gitignore semantics, not glob semantics.
 */

export interface CodeOwnersRule {
  /** 1-based line in the file. */
  line: number;
  pattern: string;
  owners: string[];
  matches(path: string): boolean;
}

export interface CodeOwnersProblem {
  line: number;
  message: string;
}

export interface CodeOwners {
  readonly rules: readonly CodeOwnersRule[];
  /** Lines GitHub would skip, with why. */
  readonly problems: readonly CodeOwnersProblem[];
  /** The owners of one path: the last matching rule's owners, or none. */
  ownersOf(path: string): string[];
  /** The owners of any of `paths`, deduplicated, in order of first appearance. */
  ownersFor(paths: readonly string[]): string[];
}

/** GitHub ignores CODEOWNERS files larger than 3 MB; so does this parser. */
export const CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024;

const USER_OWNER = /^@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM_OWNER =
  /^@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const EMAIL_OWNER = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function parseCodeOwners(text: string): CodeOwners {
  const rules: CodeOwnersRule[] = [];
  const problems: CodeOwnersProblem[] = [];
  if (text.length > CODEOWNERS_MAX_BYTES) {
    problems.push({ line: 0, message: 'the file is larger than 3 MB, which GitHub ignores' });
    return codeOwnersOf(rules, problems);
  }
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const tokens = tokensOf(raw);
    const [pattern, ...rest] = tokens;
    if (pattern === undefined || pattern.startsWith('#')) return;
    const commentAt = rest.findIndex((token) => token.startsWith('#'));
    const owners = commentAt === -1 ? rest : rest.slice(0, commentAt);
    const badOwner = owners.find((owner) => !isOwner(owner));
    if (badOwner !== undefined) {
      problems.push({
        line,
        message: `"${badOwner}" is not an owner: use @user, @org/team or an email address`,
      });
      return;
    }
    const compiled = compilePattern(pattern);
    if (typeof compiled === 'string') {
      problems.push({ line, message: compiled });
      return;
    }
    rules.push({
      line,
      pattern,
      owners,
      matches: (path) => compiled.test(path.replace(/^\/+/, '')),
    });
  });
  return codeOwnersOf(rules, problems);
}

function codeOwnersOf(rules: CodeOwnersRule[], problems: CodeOwnersProblem[]): CodeOwners {
  const ownersOf = (path: string): string[] => {
    for (let index = rules.length - 1; index >= 0; index -= 1) {
      const rule = rules[index];
      if (rule?.matches(path)) return [...rule.owners];
    }
    return [];
  };
  return {
    rules,
    problems,
    ownersOf,
    ownersFor(paths) {
      const owners = new Set<string>();
      for (const path of paths) for (const owner of ownersOf(path)) owners.add(owner);
      return [...owners];
    },
  };
}

function isOwner(token: string): boolean {
  return USER_OWNER.test(token) || TEAM_OWNER.test(token) || EMAIL_OWNER.test(token);
}

/** Splits a line at unescaped whitespace; `\ ` keeps a space inside a pattern. */
function tokensOf(line: string): string[] {
  const tokens: string[] = [];
  let current = '';
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] ?? '';
    if (char === '\\' && index + 1 < line.length) {
      current += char + (line[index + 1] ?? '');
      index += 1;
    } else if (/\s/.test(char)) {
      if (current !== '') tokens.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current !== '') tokens.push(current);
  return tokens;
}

/** The pattern as a RegExp over repository-relative paths, or why GitHub would skip it. */
export function compilePattern(pattern: string): RegExp | string {
  if (pattern.startsWith('!')) return `"${pattern}": negation (!) is not supported in CODEOWNERS`;
  const directoryOnly = pattern.endsWith('/') && !pattern.endsWith('\\/');
  const trimmed = pattern.replace(/\/+$/, '');
  // A slash anywhere but at the end anchors the pattern to the root (.gitignore's rule).
  const anchored = trimmed.includes('/');
  const segments = trimmed.replace(/^\/+/, '').split('/');
  if (segments.every((segment) => segment === '')) return `"${pattern}": the pattern names no path`;
  let body = '';
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === '**') {
      body += last ? '.*' : '(?:[^/]+/)*';
      continue;
    }
    const converted = segmentPattern(segment);
    if (converted === undefined)
      return `"${pattern}": character ranges ([ ]) are not supported in CODEOWNERS`;
    body += converted + (last ? '' : '/');
  }
  const lastSegment = segments[segments.length - 1];
  // A directory owns what is beneath it; `dir/*` owns only the files directly in dir.
  const beneath = directoryOnly
    ? '/.*'
    : lastSegment === '*' || lastSegment === '**'
      ? ''
      : '(?:/.*)?';
  return new RegExp(`^${anchored ? '' : '(?:[^/]+/)*'}${body}${beneath}$`);
}

/** One path segment: `*` and `?` within the segment, `\x` literal, everything else literal. */
function segmentPattern(segment: string): string | undefined {
  let out = '';
  for (let index = 0; index < segment.length; index += 1) {
    const char = segment[index] ?? '';
    if (char === '\\' && index + 1 < segment.length) {
      out += escapeRegExp(segment[index + 1] ?? '');
      index += 1;
    } else if (char === '*') {
      // Consecutive stars inside a segment are one star; collapsing them keeps the RegExp linear.
      if (!out.endsWith('[^/]*')) out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[') {
      return undefined;
    } else {
      out += escapeRegExp(char);
    }
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
