/**
 * What people type for a PR or an issue: `owner/repo#123`, `owner/repo 123`, or a github.com link
 * (`/pull/5`, `/issues/5`, with anything after it). Parsing never throws; a miss says what to write.
 */
export interface GitHubReference {
  repo: string;
  number: number;
  /** What the link said it was; a short reference does not say. */
  kind?: 'pull' | 'issue';
}

export type ReferenceResult =
  { ok: true; reference: GitHubReference } | { ok: false; problem: string };

const OWNER = '[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}';
const NAME = '[A-Za-z0-9._-]{1,100}';
const SHORT = new RegExp(`^(${OWNER})/(${NAME})\\s*(?:#|\\s)\\s*(\\d{1,9})$`);
const URL_FORM = new RegExp(
  `^(?:https?://)?(?:www\\.)?github\\.com/(${OWNER})/(${NAME})/(pull|pulls|issues)/(\\d{1,9})(?:[/?#].*)?$`,
  'i',
);
const REPO_ONLY = new RegExp(`^(${OWNER})/(${NAME})$`);

/** Finds a reference anywhere in a sentence (for the offline planner); undefined when none. */
export const REFERENCE_IN_TEXT = new RegExp(
  `(?:https?://)?(?:www\\.)?github\\.com/${OWNER}/${NAME}/(?:pull|pulls|issues)/\\d{1,9}(?:[/?#][^\\s>)]*)?|${OWNER}/${NAME}#\\d{1,9}`,
  'i',
);

export const REFERENCE_SYNTAX =
  'owner/repo#123 or a link like https://github.com/owner/repo/pull/123';

export function parseReference(text: string | undefined, number?: unknown): ReferenceResult {
  const input = (text ?? '').trim().replace(/^<|>$/g, '');
  if (input === '') return { ok: false, problem: `Which one? Give me ${REFERENCE_SYNTAX}.` };
  const url = URL_FORM.exec(input);
  if (url) {
    const kind = url[3]!.toLowerCase() === 'issues' ? 'issue' : 'pull';
    return checked(`${url[1]}/${url[2]}`, Number(url[4]), kind);
  }
  const short = SHORT.exec(input);
  if (short) return checked(`${short[1]}/${short[2]}`, Number(short[3]));
  const repoOnly = REPO_ONLY.exec(input);
  if (repoOnly && number !== undefined && number !== null && String(number).trim() !== '') {
    const n = Number(String(number).replace(/^#/, ''));
    if (Number.isInteger(n)) return checked(input, n);
  }
  if (repoOnly)
    return { ok: false, problem: `"${input}" is a repository; which number? Write ${input}#123.` };
  return {
    ok: false,
    problem: `"${shorten(input)}" is not a PR or issue I can read. Write ${REFERENCE_SYNTAX}.`,
  };
}

/** `owner/repo`, or undefined; links to a repository count too. */
export function parseRepo(text: string | undefined): string | undefined {
  const input = (text ?? '')
    .trim()
    .replace(/^(?:https?:\/\/)?(?:www\.)?github\.com\//i, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  return REPO_ONLY.test(input) ? input : undefined;
}

function checked(repo: string, number: number, kind?: 'pull' | 'issue'): ReferenceResult {
  if (!Number.isSafeInteger(number) || number < 1)
    return { ok: false, problem: `#${number} is not a PR or issue number; they start at 1.` };
  if (repo.endsWith('/.') || repo.endsWith('/..'))
    return { ok: false, problem: `"${repo}" is not a repository name.` };
  return { ok: true, reference: kind ? { repo, number, kind } : { repo, number } };
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatReference(reference: { repo: string; number: number }): string {
  return `${reference.repo}#${reference.number}`;
}
