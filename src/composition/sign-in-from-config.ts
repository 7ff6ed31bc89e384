/**
 * Verified GitHub sign-in from configuration: the device flow against GITHUB_WEB_URL, the API at
 * GITHUB_API_URL, tokens sealed under TOKEN_ENCRYPTION_KEY (config.tokenKey) in the store's
 * person links. Undefined when GITHUB_OAUTH_CLIENT_ID is not set: then `sign in` says it is not
 * set up, and nobody can act from cards.
 */
import type { Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import { timerSleep } from '../identity/device-flow-poll.js';
import { GitHubOAuthClient } from '../identity/github-oauth-client.js';
import type { GitHubOAuth } from '../identity/github-oauth.js';
import { PersonLinks } from '../identity/person-links.js';
import { SignInService } from '../identity/sign-in-service.js';
import { TokenVault } from '../identity/token-vault.js';
import type { Store } from '../store/store.js';

export function signInFromConfig(
  config: Config,
  deps: { store: Store; clock: Clock; oauth?: GitHubOAuth },
): SignInService | undefined {
  if (config.GITHUB_OAUTH_CLIENT_ID === undefined || config.tokenKey === undefined)
    return undefined;
  const oauth =
    deps.oauth ??
    new GitHubOAuthClient({
      clientId: config.GITHUB_OAUTH_CLIENT_ID,
      clientSecret: config.GITHUB_OAUTH_CLIENT_SECRET,
      webUrl: config.GITHUB_WEB_URL,
      apiUrl: config.GITHUB_API_URL,
    });
  return new SignInService({
    oauth,
    vault: new TokenVault(config.tokenKey),
    links: new PersonLinks(deps.store),
    clock: deps.clock,
    sleep: timerSleep,
  });
}
