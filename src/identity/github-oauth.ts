/**
 * The port to GitHub's OAuth endpoints that sign-in needs, in Reynolds's own terms. The adapter
 * (github-oauth-client.ts) speaks GitHub's wire format through @octokit/oauth-methods; tests use
 * fakes of this interface or the loopback stand-in.
 */

/** GitHub's answer to `POST /login/device/code`. */
export interface DeviceCode {
  deviceCode: string;
  /** What the person types at the verification page, e.g. `WDJB-MJHT`. */
  userCode: string;
  verificationUri: string;
  expiresInSeconds: number;
  /** The least time between two polls. */
  intervalSeconds: number;
}

/** Tokens GitHub issued (never logged, never shown). */
export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
  /** Seconds the token lives from now; absent when it does not expire (OAuth Apps). Relative, so our clock decides. */
  expiresInSeconds?: number;
  refreshTokenExpiresInSeconds?: number;
}

/** One poll of `POST /login/oauth/access_token` with the device code. */
export type ExchangeResult =
  | { kind: 'token'; tokens: IssuedTokens }
  | { kind: 'pending' }
  /** Polled too fast: wait at least `intervalSeconds` (GitHub's new interval) from now on. */
  | { kind: 'slow_down'; intervalSeconds?: number }
  | { kind: 'expired' }
  | { kind: 'denied' };

export interface GitHubUser {
  id: number;
  login: string;
  name?: string;
}

export interface GitHubOAuth {
  requestDeviceCode(): Promise<DeviceCode>;
  exchange(deviceCode: string): Promise<ExchangeResult>;
  /** A new token pair from a refresh token (GitHub App user tokens that expire). */
  refresh(refreshToken: string): Promise<IssuedTokens>;
  /** `DELETE /applications/{client_id}/token`; a token GitHub no longer knows counts as revoked. */
  revoke(accessToken: string): Promise<void>;
  /** `GET /user` with the person's token. */
  user(accessToken: string): Promise<GitHubUser>;
}

/**
 * Why a call to GitHub's OAuth side failed:
 * - `unreachable`: network error, timeout or 5xx; try again later.
 * - `rejected`: GitHub refused the token or refresh token (revoked, expired): sign in again.
 * - `misconfigured`: GitHub refused the app itself (wrong client id/secret, device flow off).
 */
export type GitHubOAuthErrorKind = 'unreachable' | 'rejected' | 'misconfigured';

export class GitHubOAuthError extends Error {
  constructor(
    readonly kind: GitHubOAuthErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GitHubOAuthError';
  }
}
