/**
 * Cards for what the message extension finds and what link unfurling previews: a full Adaptive
 * Card per GitHub item, a short preview (a thumbnail card: what the search list shows), and a
 * notice card for failures. Every string from GitHub passes through card-text's helpers.
 */
import type {
  CommitView,
  GitHubReadError,
  IssueView,
  PullRequestView,
  ReleaseView,
} from '../../github/github-reader.js';
import { type AdaptiveCardJson, expand, withoutUndefined } from './alert-card.js';
import {
  type CardColor,
  compactList,
  cut,
  excerpt,
  link,
  plain,
  safeUrl,
  stateColor,
  stateLabel,
} from './card-text.js';
import { githubItemTemplate, githubNoticeTemplate } from './templates/github-item.js';

/** The list entry Teams shows for a result; `tap` makes picking it send composeExtension/selectItem. */
export interface ThumbnailPreview {
  title: string;
  subtitle?: string;
  text?: string;
  tap?: { type: 'invoke'; value: SelectedItem };
}

/** What a picked result carries back to selectItem. */
export type SelectedItem = { kind: 'pull' | 'issue'; repo: string; number: number };

export interface GitHubCard {
  card: AdaptiveCardJson;
  preview: ThumbnailPreview;
}

/** Teams renders a little HTML in thumbnail cards; text from GitHub must not be markup there. */
function previewOf(preview: ThumbnailPreview): ThumbnailPreview {
  const html = (text: string | undefined) =>
    text?.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return {
    ...preview,
    title: html(preview.title)!,
    ...(preview.subtitle !== undefined ? { subtitle: html(preview.subtitle) } : {}),
    ...(preview.text !== undefined ? { text: html(preview.text) } : {}),
  };
}

type Labelled = { label: string; color: CardColor };
type Fact = { title: string; value: string };

const WEB = 'https://github.com';

export function pullRequestCard(pr: PullRequestView): GitHubCard {
  const checks = checksLabel(pr.checks);
  const review = reviewLabel(pr.reviews);
  const facts: Fact[] = [
    { title: 'Author', value: plain(pr.author) },
    { title: 'Branch', value: plain(`${pr.headRef} → ${pr.baseRef}`) },
    {
      title: 'Changes',
      value: `+${pr.additions} −${pr.deletions} in ${pr.changedFiles} file${pr.changedFiles === 1 ? '' : 's'}`,
    },
  ];
  if (pr.checks.failing.length > 0)
    facts.push({ title: 'Failing', value: compactList(pr.checks.failing, 5)! });
  if (pr.reviews.approved.length > 0)
    facts.push({ title: 'Approved by', value: compactList(pr.reviews.approved)! });
  if (pr.reviews.changesRequested.length > 0)
    facts.push({ title: 'Changes requested by', value: compactList(pr.reviews.changesRequested)! });
  if (pr.reviews.requested.length > 0)
    facts.push({ title: 'Waiting on', value: compactList(pr.reviews.requested)! });
  if (pr.labels.length > 0) facts.push({ title: 'Labels', value: compactList(pr.labels, 8)! });
  const state = labelled(pr.state, 'pull_request');
  const card = itemCard({
    repo: pr.repo,
    url: pr.url,
    kind: `Pull request #${pr.number}`,
    title: pr.title,
    state,
    checks,
    review,
    facts,
    body: pr.body,
  });
  return {
    card,
    preview: previewOf({
      title: cut(pr.title, 120),
      subtitle: `${pr.repo}#${pr.number} · ${stateLabel(pr.state)} · by ${pr.author}`,
      text: `Checks: ${checks.label} · ${review.label}`,
      tap: { type: 'invoke', value: { kind: 'pull', repo: pr.repo, number: pr.number } },
    }),
  };
}

export function issueCard(issue: IssueView): GitHubCard {
  const stateWord = issue.pullState ?? issue.state;
  const facts: Fact[] = [
    { title: 'Author', value: plain(issue.author) },
    { title: 'Comments', value: String(issue.comments) },
  ];
  if (issue.assignees.length > 0)
    facts.push({ title: 'Assignees', value: compactList(issue.assignees)! });
  if (issue.labels.length > 0)
    facts.push({ title: 'Labels', value: compactList(issue.labels, 8)! });
  const word = issue.isPullRequest ? 'Pull request' : 'Issue';
  const state = labelled(stateWord, issue.isPullRequest ? 'pull_request' : 'issue');
  const card = itemCard({
    repo: issue.repo,
    url: issue.url,
    kind: `${word} #${issue.number}`,
    title: issue.title,
    state,
    facts,
    body: issue.body,
  });
  return {
    card,
    preview: previewOf({
      title: cut(issue.title, 120),
      subtitle: `${issue.repo}#${issue.number} · ${word} · ${stateLabel(stateWord)} · by ${issue.author}`,
      text:
        issue.labels.length > 0
          ? `Labels: ${issue.labels.slice(0, 5).join(', ')}`
          : `${issue.comments} comment${issue.comments === 1 ? '' : 's'}`,
      tap: {
        type: 'invoke',
        value: {
          kind: issue.isPullRequest ? 'pull' : 'issue',
          repo: issue.repo,
          number: issue.number,
        },
      },
    }),
  };
}

export function commitCard(commit: CommitView): GitHubCard {
  const [headline = '', ...rest] = commit.message.split('\n');
  const checks = checksLabel(commit.checks);
  const facts: Fact[] = [
    { title: 'Author', value: plain(commit.author) },
    { title: 'Commit', value: plain(commit.sha.slice(0, 7)) },
    {
      title: 'Changes',
      value: `+${commit.additions} −${commit.deletions} in ${commit.files} file${commit.files === 1 ? '' : 's'}`,
    },
  ];
  if (commit.date)
    facts.push({
      title: 'Date',
      value: plain(commit.date.replace('T', ' ').replace(/:\d\dZ$/, ' UTC')),
    });
  if (commit.checks.failing.length > 0)
    facts.push({ title: 'Failing', value: compactList(commit.checks.failing, 5)! });
  const card = itemCard({
    repo: commit.repo,
    url: commit.url,
    kind: `Commit ${commit.sha.slice(0, 7)}`,
    title: headline || commit.sha,
    state: checks,
    facts,
    body: rest.join('\n'),
  });
  return {
    card,
    preview: previewOf({
      title: cut(headline || commit.sha, 120),
      subtitle: `${commit.repo}@${commit.sha.slice(0, 7)} · by ${commit.author}`,
      text: `Checks: ${checks.label}`,
    }),
  };
}

export function releaseCard(release: ReleaseView): GitHubCard {
  const stateWord = release.draft ? 'draft' : release.prerelease ? 'prerelease' : 'published';
  const facts: Fact[] = [
    { title: 'Tag', value: plain(release.tag) },
    { title: 'Author', value: plain(release.author) },
  ];
  if (release.publishedAt)
    facts.push({
      title: 'Published',
      value: plain(release.publishedAt.replace('T', ' ').replace(/:\d\dZ$/, ' UTC')),
    });
  const state = labelled(stateWord, 'release');
  const card = itemCard({
    repo: release.repo,
    url: release.url,
    kind: 'Release',
    title: release.name || release.tag,
    state,
    facts,
    body: release.body,
  });
  return {
    card,
    preview: previewOf({
      title: cut(release.name || release.tag, 120),
      subtitle: `${release.repo} · ${release.tag} · ${stateLabel(stateWord)}`,
      text: `by ${release.author}`,
    }),
  };
}

/** A card that says what went wrong and what to do, instead of an exception in Teams. */
export function noticeCard(
  error: Pick<GitHubReadError, 'kind' | 'message' | 'resetAt'>,
  what: string,
  url?: string,
): GitHubCard {
  const { title, message, hint, color } = noticeText(error, what);
  return infoCard(title, message, color, hint, url);
}

/** A card with a coloured title, a message and an optional hint: for failures and empty answers. */
export function infoCard(
  title: string,
  message: string,
  color: CardColor,
  hint?: string,
  url?: string,
): GitHubCard {
  const card = expand(
    'github_notice',
    githubNoticeTemplate,
    withoutUndefined({
      title: plain(title),
      message: plain(message, 400),
      hint: hint === undefined ? undefined : plain(hint, 400),
      color,
      url: safeUrl(url),
      fallbackText: plain(`${title}: ${message}`),
    }),
  );
  return { card, preview: previewOf({ title: cut(title, 120), text: cut(message, 200) }) };
}

function noticeText(
  error: Pick<GitHubReadError, 'kind' | 'message' | 'resetAt'>,
  what: string,
): { title: string; message: string; hint?: string; color: CardColor } {
  switch (error.kind) {
    case 'not_found':
      return {
        title: `Not found: ${what}`,
        message:
          'GitHub has no such item, or Reynolds cannot see it (a private repository it is not installed on).',
        hint: 'Check the owner, repository and number.',
        color: 'warning',
      };
    case 'rate_limited': {
      const when =
        error.resetAt === undefined
          ? 'in a few minutes'
          : `after ${new Date(error.resetAt).toISOString().slice(11, 16)} UTC`;
      return {
        title: 'GitHub rate limit reached',
        message: `Reynolds has used up its GitHub API allowance for now. Try again ${when}.`,
        color: 'warning',
      };
    }
    case 'unauthorized':
      return {
        title: 'GitHub refused the credentials',
        message:
          'GitHub answered 401: the token or GitHub App key Reynolds uses is wrong, expired or revoked.',
        hint: 'An admin should check GITHUB_TOKEN or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY.',
        color: 'attention',
      };
    case 'forbidden':
      return {
        title: `No access: ${what}`,
        message: 'GitHub does not let Reynolds read this.',
        hint: 'The GitHub App may lack a permission, or not be installed on this repository.',
        color: 'attention',
      };
    case 'not_configured':
      return {
        title: 'GitHub is not connected',
        message: error.message,
        hint: 'An admin sets GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, and restarts Reynolds.',
        color: 'warning',
      };
    default:
      return {
        title: 'GitHub is not answering',
        message: 'GitHub did not answer properly just now. Try again in a moment.',
        color: 'warning',
      };
  }
}

interface ItemInput {
  repo: string;
  url: string;
  kind: string;
  title: string;
  state: Labelled;
  checks?: Labelled;
  review?: Labelled;
  facts: Fact[];
  body: string;
}

function itemCard(input: ItemInput): AdaptiveCardJson {
  const url = safeUrl(input.url) ?? `${WEB}/${input.repo}`;
  const repoUrl = `${new URL(url).origin}/${input.repo.split('/').map(encodeURIComponent).join('/')}`;
  return expand(
    'github_item',
    githubItemTemplate,
    withoutUndefined({
      repo: link(input.repo, repoUrl),
      kind: plain(input.kind),
      title: link(input.title || input.kind, url),
      state: input.state,
      checks: input.checks,
      review: input.review,
      facts: input.facts,
      excerpt: excerpt(input.body),
      url,
      fallbackText: plain(`${input.repo} ${input.kind}: ${input.title} (${input.state.label})`),
    }),
  );
}

function labelled(state: string, family: string): Labelled {
  return { label: plain(stateLabel(state)), color: stateColor(state, family) };
}

function checksLabel(checks: PullRequestView['checks']): Labelled {
  if (checks.state === 'none') return { label: 'No checks', color: 'default' };
  const label =
    checks.state === 'failure'
      ? `Checks failing (${checks.failing.length}/${checks.total})`
      : checks.state === 'pending'
        ? 'Checks running'
        : 'Checks passed';
  return { label, color: stateColor(checks.state, 'workflow') };
}

function reviewLabel(reviews: PullRequestView['reviews']): Labelled {
  if (reviews.changesRequested.length > 0)
    return { label: 'Changes requested', color: stateColor('changes_requested', 'review') };
  if (reviews.approved.length > 0)
    return { label: 'Approved', color: stateColor('approved', 'review') };
  if (reviews.requested.length > 0)
    return { label: 'Review requested', color: stateColor('requested', 'review') };
  return { label: 'No reviews', color: 'default' };
}
