/**
 * Reynolds's GitHub clients from configuration: the reader (message extension, chat actions; token
 * or App auth, cached) and, with card actions on, the writer behind the write guard. Without
 * credentials every read fails with not_configured and there is no writer.
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
  /** Card-action writes; absent without credentials or with CARD_ACTIONS=off. */
  writer?: GuardedGitHub;
}

/** `reader` replaces the one built from configuration (tests pass a fake of the port). */
export function wireGitHub(base: Pick<Foundation, 'config' | 'logger'>, guard: WriteGuard, cardActions: boolean, reader?: GitHubReader): GitHubParts {
  const { config, logger } = base;
  const options = githubClientOptionsFrom(config);
  const github = reader ?? (options ? new OctokitReader({ clients: new GitHubClients(options), cacheTtlMs: config.GITHUB_CACHE_TTL_SECONDS * 1000 }) : unconfiguredReader());
  if (!options && !reader) logger.info('no GitHub credentials (GITHUB_TOKEN or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY): the message extension answers with a "not connected" card');
  // Writes are tried once, unthrottled: the guard decides about retries (octokit-actions.ts).
  const writer = cardActions && options ? new GuardedGitHub(guard, new OctokitActions({ clients: new GitHubClients({ ...options, retries: 0, throttle: false }) }), config.tenantId) : undefined;
  return { reader: github, writer };
}
