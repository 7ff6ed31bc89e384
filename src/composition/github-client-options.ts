/**
 * The GitHub client options from configuration (GITHUB_API_URL, and GITHUB_APP_ID +
 * GITHUB_APP_PRIVATE_KEY [+ GITHUB_APP_INSTALLATION_ID] or GITHUB_TOKEN); src/github/octokit-client.ts
 * builds the clients from them.
 */
import type { Config } from '../config.js';
import type { GitHubClientOptions } from '../github/octokit-client.js';

type GitHubConfig = Pick<
  Config,
  | 'GITHUB_API_URL'
  | 'GITHUB_APP_ID'
  | 'GITHUB_APP_PRIVATE_KEY'
  | 'GITHUB_APP_INSTALLATION_ID'
  | 'GITHUB_TOKEN'
>;

/** The client options, or undefined when no GitHub credentials are set. An App wins over a token. */
export function githubClientOptionsFrom(config: GitHubConfig): GitHubClientOptions | undefined {
  const baseUrl = config.GITHUB_API_URL.replace(/\/+$/, '');
  if (config.GITHUB_APP_ID !== undefined && config.GITHUB_APP_PRIVATE_KEY !== undefined) {
    return {
      baseUrl,
      auth: {
        kind: 'app',
        appId: config.GITHUB_APP_ID,
        privateKey: config.GITHUB_APP_PRIVATE_KEY,
        installationId: config.GITHUB_APP_INSTALLATION_ID,
      },
    };
  }
  if (config.GITHUB_TOKEN !== undefined)
    return { baseUrl, auth: { kind: 'token', token: config.GITHUB_TOKEN } };
  return undefined;
}
