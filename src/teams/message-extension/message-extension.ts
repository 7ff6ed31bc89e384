/**
 * The message extension: search pull requests and issues from the compose box (command
 * `searchPullRequests`, parameter `query`), insert a full card for the one picked, and unfurl
 * pasted GitHub links. Every failure answers with a notice card; nothing here throws into Teams.
 */
import type { Application, TurnState } from '@microsoft/teams-ai';
import {
  CardFactory,
  type Activity,
  type MessagingExtensionAttachment,
  type MessagingExtensionResult,
} from 'botbuilder';
import { type GitHubLink, parseGitHubLink } from '../../github/github-links.js';
import { GitHubReadError, type GitHubReader, type IssueView } from '../../github/github-reader.js';
import type { SubscriptionBook } from '../../routing/subscriptions/subscription-book.js';
import {
  type GitHubCard,
  type SelectedItem,
  commitCard,
  infoCard,
  issueCard,
  noticeCard,
  pullRequestCard,
  releaseCard,
} from '../cards/github-card.js';
import { buildSearchQuery, distinctScopes, parseSearch } from './search-query.js';

export const SEARCH_COMMAND = 'searchPullRequests';
export const SEARCH_PARAMETER = 'query';
/** Teams shows at most 25 results; details (checks, reviews) are fetched for the first few PRs. */
const MAX_RESULTS = 25;
const DETAILED_RESULTS = 8;

export interface MessageExtensionDeps {
  github: GitHubReader;
  subscriptions: SubscriptionBook;
  /** The tenant of an activity, or undefined when Reynolds does not serve it. */
  tenantOf: (activity: Activity) => string | undefined;
  /** Web hosts whose links are unfurled (github.com, and the GHES host). */
  linkHosts: readonly string[];
  onError?: (error: unknown, what: string) => void;
}

export function registerMessageExtension(
  app: Application<TurnState>,
  deps: MessageExtensionDeps,
): void {
  const guarded = async (
    what: string,
    run: () => Promise<MessagingExtensionResult>,
  ): Promise<MessagingExtensionResult> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof GitHubReadError) return list([noticeCard(error, what)]);
      deps.onError?.(error, what); // a store or code failure here: logged, and said plainly
      return list([
        infoCard(
          'Reynolds could not answer',
          "Something failed on Reynolds's side (it is logged). Try again in a moment.",
          'attention',
        ),
      ]);
    }
  };

  app.messageExtensions.query(SEARCH_COMMAND, async (context, _state, query) =>
    guarded('search', async () => {
      const tenantId = deps.tenantOf(context.activity);
      if (!tenantId) return list([wrongTenant()]);
      const text =
        typeof query.parameters[SEARCH_PARAMETER] === 'string'
          ? (query.parameters[SEARCH_PARAMETER] as string)
          : '';
      const parsed = parseSearch(text);
      const scopes = distinctScopes(
        (await deps.subscriptions.forTenant(tenantId)).map((s) => s.scope),
      );
      const onlyRepo =
        parsed.repo ??
        (scopes.length === 1 && scopes[0]!.repo !== undefined
          ? `${scopes[0]!.owner}/${scopes[0]!.repo}`
          : undefined);
      if (parsed.number !== undefined && onlyRepo !== undefined)
        return list([await lookUp(deps.github, onlyRepo, parsed.number)]);
      if (parsed.repo === undefined && scopes.length === 0) return list([noSubscriptions()]);
      const count = Math.max(1, Math.min(MAX_RESULTS, query.count || MAX_RESULTS));
      const result = await deps.github.search(
        buildSearchQuery(parsed, scopes),
        count + Math.max(0, query.skip),
      );
      const items = result.items.slice(Math.max(0, query.skip), Math.max(0, query.skip) + count);
      if (items.length === 0) return list([emptyResult(text)]);
      return list(
        await Promise.all(
          items.map((item, i) => resultCard(deps.github, item, i < DETAILED_RESULTS)),
        ),
      );
    }),
  );

  app.messageExtensions.selectItem(async (context, _state, item: Partial<SelectedItem>) =>
    guarded('selected item', async () => {
      if (!deps.tenantOf(context.activity)) return list([wrongTenant()]);
      if (
        (item.kind !== 'pull' && item.kind !== 'issue') ||
        typeof item.repo !== 'string' ||
        !Number.isInteger(item.number)
      ) {
        return list([
          infoCard(
            'Cannot open that item',
            'The picked item carries no repository and number.',
            'warning',
          ),
        ]);
      }
      const card =
        item.kind === 'pull'
          ? pullRequestCard(await deps.github.getPullRequest(item.repo, item.number!))
          : issueCard(await deps.github.getIssue(item.repo, item.number!));
      return list([card]);
    }),
  );

  app.messageExtensions.queryLink(async (context, _state, url) =>
    guarded(typeof url === 'string' ? url : 'link', async () => {
      if (!deps.tenantOf(context.activity)) return list([wrongTenant()]);
      const link = typeof url === 'string' ? parseGitHubLink(url, deps.linkHosts) : undefined;
      // A GitHub page that is not a PR, issue, commit or release (a repo, a file) is not unfurled.
      if (link === undefined) return { type: 'result', attachmentLayout: 'list', attachments: [] };
      try {
        return list([await unfurl(deps.github, link)]);
      } catch (error) {
        if (!(error instanceof GitHubReadError)) throw error;
        return list([noticeCard(error, describe(link), url)]);
      }
    }),
  );
}

async function lookUp(github: GitHubReader, repo: string, number: number): Promise<GitHubCard> {
  // The issues API answers for both, and says which it is.
  const issue = await github.getIssue(repo, number);
  return issue.isPullRequest
    ? pullRequestCard(await github.getPullRequest(repo, number))
    : issueCard(issue);
}

async function unfurl(github: GitHubReader, link: GitHubLink): Promise<GitHubCard> {
  switch (link.kind) {
    case 'pull':
      return pullRequestCard(await github.getPullRequest(link.repo, link.number));
    case 'issue':
      return lookUp(github, link.repo, link.number); // /issues/N of a PR redirects to the PR on GitHub
    case 'commit':
      return commitCard(await github.getCommit(link.repo, link.sha));
    case 'release':
      return releaseCard(await github.getRelease(link.repo, link.tag));
  }
}

function describe(link: GitHubLink): string {
  if (link.kind === 'commit') return `${link.repo}@${link.sha.slice(0, 7)}`;
  if (link.kind === 'release') return `${link.repo} release ${link.tag}`;
  return `${link.repo}#${link.number}`;
}

/** A search hit; PRs near the top get their checks and reviews, the rest what search knows. */
async function resultCard(
  github: GitHubReader,
  item: IssueView,
  detailed: boolean,
): Promise<GitHubCard> {
  if (!item.isPullRequest || !detailed) return issueCard(item);
  try {
    return pullRequestCard(await github.getPullRequest(item.repo, item.number));
  } catch {
    return issueCard(item); // the hit is still worth showing without its checks
  }
}

function list(cards: GitHubCard[]): MessagingExtensionResult {
  return { type: 'result', attachmentLayout: 'list', attachments: cards.map(attachmentOf) };
}

function attachmentOf(card: GitHubCard): MessagingExtensionAttachment {
  const preview = CardFactory.thumbnailCard(
    card.preview.title,
    card.preview.text ?? '',
    undefined,
    undefined,
    {
      ...(card.preview.subtitle ? { subtitle: card.preview.subtitle } : {}),
      ...(card.preview.tap ? { tap: card.preview.tap as never } : {}),
    },
  );
  return { ...CardFactory.adaptiveCard(card.card), preview };
}

function wrongTenant(): GitHubCard {
  return infoCard(
    'Not available here',
    "This Reynolds serves its own organisation's Teams tenant only.",
    'attention',
  );
}

function noSubscriptions(): GitHubCard {
  return infoCard(
    'Nothing to search yet',
    'No repositories are subscribed in this tenant.',
    'warning',
    'Name one (repo:owner/name text), or subscribe a channel: @Reynolds subscribe owner/name.',
  );
}

function emptyResult(text: string): GitHubCard {
  return infoCard(
    'No matches',
    `Nothing matches "${text.trim() || 'open pull requests'}".`,
    'default',
    'Try repo:owner/name, #123, author:login, state:open|closed|merged|draft, is:issue or is:pr.',
  );
}
