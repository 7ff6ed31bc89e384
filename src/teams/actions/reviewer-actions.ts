/**
 * suggest_reviewers: who should review a PR, and why. CODEOWNERS (GitHub's own rules, via
 * routing/codeowners.ts) against the PR's changed files first; people already asked or already
 * reviewing are said as such; the author never reviews their own PR.
 */
import { parseCodeOwners } from '../../routing/classification/codeowners.js';
import type { ChatAction } from './chat-action.js';
import { type ReviewerSuggestion, reviewersCard } from './chat-cards.js';
import { readGitHub, readPullWithFiles } from './pull-actions.js';

const MAX_FILES_NAMED = 3;
const MAX_SUGGESTIONS = 8;

export const suggestReviewersAction: ChatAction = {
  name: 'suggest_reviewers',
  async run(_scope, parameters, deps) {
    const read = await readPullWithFiles(parameters, deps);
    if (!read.ok) return read.reply;
    const { repo, what, pull, files } = read;
    const codeownersText = await readGitHub(
      `the CODEOWNERS file of ${repo}`,
      (r) => r.getCodeowners(repo),
      deps,
    );
    if (!codeownersText.ok) return codeownersText.reply;

    const author = `@${pull.author}`.toLowerCase();
    const notes: string[] = [];
    const owned = new Map<string, string[]>();
    if (codeownersText.value === undefined) {
      notes.push(
        `${repo} has no CODEOWNERS file, so I cannot say who owns what; add one (.github/CODEOWNERS) and I will.`,
      );
    } else {
      const codeowners = parseCodeOwners(codeownersText.value);
      for (const file of files) {
        for (const owner of codeowners.ownersOf(file.path))
          owned.set(owner, [...(owned.get(owner) ?? []), file.path]);
      }
      if (codeowners.problems.length > 0)
        notes.push(
          `CODEOWNERS has ${codeowners.problems.length} line(s) GitHub skips too (first: line ${codeowners.problems[0]!.line}, ${codeowners.problems[0]!.message}).`,
        );
      const unowned = files.filter((f) => codeowners.ownersOf(f.path).length === 0).length;
      if (unowned > 0)
        notes.push(`${unowned} of ${files.length} changed files have no code owner.`);
    }

    const suggestions: ReviewerSuggestion[] = [];
    const said = new Set<string>();
    const requested = new Set(
      pull.reviews.requested.map((r) => r.toLowerCase().replace(/^@?/, '@')),
    );
    const approved = new Set(pull.reviews.approved.map((r) => r.toLowerCase().replace(/^@?/, '@')));
    const ranked = [...owned.entries()].sort((a, b) => b[1].length - a[1].length);
    for (const [owner, paths] of ranked) {
      if (owner.toLowerCase() === author) continue;
      const named =
        paths.slice(0, MAX_FILES_NAMED).join(', ') +
        (paths.length > MAX_FILES_NAMED ? ` and ${paths.length - MAX_FILES_NAMED} more` : '');
      const status = approved.has(owner.toLowerCase())
        ? ' (already approved)'
        : requested.has(owner.toLowerCase())
          ? ' (already asked)'
          : '';
      suggestions.push({
        who: owner,
        why: `code owner of ${paths.length} changed file${paths.length === 1 ? '' : 's'}: ${named}${status}`,
      });
      said.add(owner.toLowerCase());
    }
    for (const login of pull.reviews.requested) {
      const handle = login.replace(/^@?/, '@');
      if (said.has(handle.toLowerCase())) continue;
      suggestions.push({
        who: handle,
        why: 'already asked to review on GitHub, though not a code owner of these files',
      });
      said.add(handle.toLowerCase());
    }
    if (owned.has(author) || owned.has(`@${pull.author}`))
      notes.push(
        `${pull.author} owns some of these files too, but does not get to review their own PR. Nice try.`,
      );
    const shown = suggestions.slice(0, MAX_SUGGESTIONS);
    const heading =
      shown.length > 0 ? `Who should review ${what}` : `No reviewer to suggest for ${what}`;
    const summary =
      shown.length > 0
        ? `Suggested for ${what}: ${shown.map((s) => `${s.who} (${s.why})`).join('; ')}.`
        : `No reviewer to suggest for ${what}. ${notes.join(' ')}`;
    return { card: reviewersCard(heading, shown, notes, pull.url), summary };
  },
};
