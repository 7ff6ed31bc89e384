/**
 * The GitHubOAuth adapter: GitHub's device flow, token refresh and revocation through
 * @octokit/oauth-methods, and `GET /user` through @octokit/rest. The web endpoints
 * (`/login/device/code`, `/login/oauth/access_token`) live on GITHUB_WEB_URL (https://github.com,
 * or a GitHub Enterprise Server's https://host); the API ones on GITHUB_API_URL.
 *
 * Errors become GitHubOAuthError with a kind, and their messages never carry a token: Octokit's
 * RequestError quotes the request (with the token in its body or header), so it is kept only as
 * the cause's status, never as the message.
 */
import {
  createDeviceCode,
  deleteToken,
  exchangeDeviceCode,
  refreshToken,
} from '@octokit/oauth-methods';
import { Octokit } from '@octokit/rest';
import {
  type DeviceCode,
  type ExchangeResult,
  type GitHubOAuth,
  GitHubOAuthError,
  type GitHubUser,
  type IssuedTokens,
} from './github-oauth.js';

export interface GitHubOAuthClientOptions {
  clientId: string;
  /** Needed to refresh and revoke tokens; the device flow itself does without. */
  clientSecret?: string;
  /** https://github.com, a GHES https://host, or a stand-in. */
  webUrl: string;
  /** https://api.github.com, a GHES https://host/api/v3, or a stand-in. */
  apiUrl: string;
  /** OAuth App scopes (GitHub Apps have permissions instead). `repo`: comment, close and review on private repositories too. */
  scopes?: string[];
  /** Per-request timeout; a Teams turn cannot wait for a hung GitHub. */
  timeoutMs?: number;
}

/** GitHub App client ids start with `Iv` (Iv1. or Iv23); OAuth Apps' do not. */
export function clientTypeOf(clientId: string): 'github-app' | 'oauth-app' {
  return /^Iv/.test(clientId) ? 'github-app' : 'oauth-app';
}

export class GitHubOAuthClient implements GitHubOAuth {
  private readonly clientType: 'github-app' | 'oauth-app';
  private readonly web: Octokit;
  private readonly api: Octokit;

  constructor(private readonly options: GitHubOAuthClientOptions) {
    this.clientType = clientTypeOf(options.clientId);
    // @octokit/request has no timeout of its own: each request gets a signal (as delivery-recovery.ts does).
    const timeoutMs = options.timeoutMs ?? 10_000;
    const request = {
      fetch: (url: string, init?: RequestInit) =>
        fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
    };
    // oauth-methods derives the web root from the request's baseUrl (github.com as is, GHES without /api/v3).
    this.web = new Octokit({
      baseUrl: options.webUrl.replace(/\/+$/, ''),
      userAgent: 'reynolds',
      request,
      log: QUIET,
    });
    this.api = new Octokit({
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      userAgent: 'reynolds',
      request,
      log: QUIET,
    });
  }

  async requestDeviceCode(): Promise<DeviceCode> {
    const { data } = await call('request a device code', () =>
      this.clientType === 'github-app'
        ? createDeviceCode({
            clientType: 'github-app',
            clientId: this.options.clientId,
            request: this.web.request,
          })
        : createDeviceCode({
            clientType: 'oauth-app',
            clientId: this.options.clientId,
            scopes: this.options.scopes ?? ['repo'],
            request: this.web.request,
          }),
    );
    return {
      deviceCode: data.device_code,
      userCode: data.user_code,
      verificationUri: data.verification_uri,
      expiresInSeconds: data.expires_in,
      intervalSeconds: data.interval,
    };
  }

  async exchange(deviceCode: string): Promise<ExchangeResult> {
    try {
      // The cast picks one of oauth-methods' overloads; both client types send the same request.
      const { data, authentication } = await exchangeDeviceCode({
        clientType: this.clientType as 'github-app',
        clientId: this.options.clientId,
        code: deviceCode,
        request: this.web.request,
      });
      return { kind: 'token', tokens: tokensOf(authentication.token, data) };
    } catch (error) {
      const data = oauthErrorData(error);
      switch (data?.error) {
        case 'authorization_pending':
          return { kind: 'pending' };
        case 'slow_down':
          return {
            kind: 'slow_down',
            ...(typeof data.interval === 'number' && { intervalSeconds: data.interval }),
          };
        case 'expired_token':
          return { kind: 'expired' };
        case 'access_denied':
          return { kind: 'denied' };
      }
      throw toOAuthError('poll for the token', error);
    }
  }

  async refresh(token: string): Promise<IssuedTokens> {
    const { data, authentication } = await call('refresh a token', () =>
      refreshToken({
        clientType: 'github-app',
        clientId: this.options.clientId,
        clientSecret: this.secret(),
        refreshToken: token,
        request: this.web.request,
      }),
    );
    return tokensOf(authentication.token, data);
  }

  async revoke(accessToken: string): Promise<void> {
    try {
      await deleteToken({
        clientType: this.clientType as 'oauth-app',
        clientId: this.options.clientId,
        clientSecret: this.secret(),
        token: accessToken,
        request: this.api.request,
      });
    } catch (error) {
      // 404: GitHub does not know the token (already revoked or expired): what we wanted.
      if (statusOf(error) === 404) return;
      throw toOAuthError('revoke the token', error);
    }
  }

  async user(accessToken: string): Promise<GitHubUser> {
    const { data } = await call('read the signed-in user', () =>
      this.api.request('GET /user', { headers: { authorization: `token ${accessToken}` } }),
    );
    return { id: Number(data.id), login: data.login, ...(data.name ? { name: data.name } : {}) };
  }

  private secret(): string {
    if (!this.options.clientSecret)
      throw new GitHubOAuthError(
        'misconfigured',
        'GITHUB_OAUTH_CLIENT_SECRET is not set, so tokens cannot be refreshed or revoked at GitHub',
      );
    return this.options.clientSecret;
  }
}

const QUIET = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toOAuthError(what, error);
  }
}

/** GitHub's token response as it came (oauth-methods turns the lifetimes into dates by GitHub's clock; ours decides). */
function tokensOf(token: string, data: object): IssuedTokens {
  const fields = data as {
    refresh_token?: unknown;
    expires_in?: unknown;
    refresh_token_expires_in?: unknown;
  };
  return {
    accessToken: token,
    ...(typeof fields.refresh_token === 'string' && fields.refresh_token !== ''
      ? { refreshToken: fields.refresh_token }
      : {}),
    ...(typeof fields.expires_in === 'number' ? { expiresInSeconds: fields.expires_in } : {}),
    ...(typeof fields.refresh_token_expires_in === 'number'
      ? { refreshTokenExpiresInSeconds: fields.refresh_token_expires_in }
      : {}),
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub answers OAuth errors with 200 and `{error, error_description}`; oauth-methods throws them as a 400 carrying that body. */
function oauthErrorData(error: unknown): { error?: string; interval?: number } | undefined {
  const data = (error as { response?: { data?: unknown } } | undefined)?.response?.data;
  return typeof data === 'object' && data !== null && 'error' in data
    ? (data as { error?: string; interval?: number })
    : undefined;
}

/** A GitHubOAuthError that names what failed and GitHub's error code or status, never the request. */
function toOAuthError(what: string, error: unknown): GitHubOAuthError {
  if (error instanceof GitHubOAuthError) return error;
  const code = oauthErrorData(error)?.error;
  const status = statusOf(error);
  const cause = { status, code };
  if (code === 'bad_refresh_token' || code === 'unauthorized' || code === 'token_expired')
    return new GitHubOAuthError('rejected', `GitHub refused to ${what}: ${code}`, { cause });
  if (code !== undefined)
    return new GitHubOAuthError('misconfigured', `GitHub refused to ${what}: ${code}`, { cause });
  if (status === 401)
    return new GitHubOAuthError(
      'rejected',
      `GitHub refused to ${what}: the token is no longer valid (401)`,
      { cause },
    );
  if (status === 403 || status === 404 || status === 422)
    return new GitHubOAuthError('misconfigured', `GitHub refused to ${what} (${status})`, {
      cause,
    });
  return new GitHubOAuthError(
    'unreachable',
    `GitHub could not be reached to ${what}${status ? ` (${status})` : ''}`,
    { cause },
  );
}
