/**
 * Reynolds's GitHub clients from configuration: the reader (message extension, chat actions; token
 * or App auth, cached) and, with card actions on, the writers behind the write guard: one per
 * signed-in person's token (card actions act as the person). Without credentials every read fails
 * with not_configured.
 */
import { GitHubClients } from '../github/octokit-client.js';
import { OctokitActions } from '../github/octokit-actions.js';
import { OctokitReader } from '../github/octokit-reader.js';
import type { GitHubReader } from '../github/github-reader.js';
import { unconfiguredReader } from '../github/read-errors.js';
import { GuardedGitHub } from '../loops/guarded-github.js';
import type { WriteGuard } from '../loops/write-guard.js';
import type { Foundation } from './foundation.js';
import { githubClientOptionsFrom } from './github-client-options.js';

export interface GitHubParts {
  reader: GitHubReader;
  /** Card-action writes as a signed-in person, with their token; absent with CARD_ACTIONS=off or without sign-in. */
  writerFor?: (token: string) => GuardedGitHub;
}

/** `reader` replaces the one built from configuration (tests pass a fake of the port). */
export function wireGitHub(
  base: Pick<Foundation, 'config' | 'logger'>,
  guard: WriteGuard,
  cardActions: boolean,
  reader?: GitHubReader,
): GitHubParts {
  const { config, logger } = base;
  const options = githubClientOptionsFrom(config);
  const github =
    reader ??
    (options
      ? new OctokitReader({
          clients: new GitHubClients(options),
          cacheTtlMs: config.GITHUB_CACHE_TTL_SECONDS * 1000,
        })
      : unconfiguredReader());
  if (!options && !reader)
    logger.info(
      'no GitHub credentials (GITHUB_TOKEN or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY): the message extension answers with a "not connected" card',
    );
  // Writes are tried once, unthrottled: the guard decides about retries (octokit-actions.ts). A
  // client per click is cheap next to the GitHub call, and no person's token outlives its click here.
  const baseUrl = config.GITHUB_API_URL.replace(/\/+$/, '');
  const writerFor = cardActions
    ? (token: string) =>
        new GuardedGitHub(guard, new OctokitActions({ token, baseUrl }), config.tenantId)
    : undefined;
  return { reader: github, writerFor };
}
