/**
 * A fake of the GitHubOAuth port (src/identity/github-oauth.ts) for tests that do not need the
 * wire format: each device code's fate is decided by the test (`decide`), and `down` makes every
 * call fail as GitHub being unreachable would.
 */
import {
  type DeviceCode,
  type ExchangeResult,
  type GitHubOAuth,
  GitHubOAuthError,
  type GitHubUser,
  type IssuedTokens,
} from '../../src/identity/github-oauth.js';

export class FakeGitHubOAuth implements GitHubOAuth {
  down = false;
  /** What polls of the next codes answer; default: pending until decided. */
  readonly fates = new Map<string, ExchangeResult>();
  readonly users = new Map<string, GitHubUser>();
  readonly revoked: string[] = [];
  private serial = 0;

  async requestDeviceCode(): Promise<DeviceCode> {
    this.fail();
    this.serial += 1;
    return {
      deviceCode: `dc-${this.serial}`,
      userCode: `FAKE-${String(this.serial).padStart(4, '0')}`,
      verificationUri: 'https://github.com/login/device',
      expiresInSeconds: 900,
      intervalSeconds: 5,
    };
  }

  /** The person approves code `userCode` as `user`, or denies it, or lets it expire. */
  decide(userCode: string, fate: GitHubUser | 'denied' | 'expired'): void {
    const deviceCode = `dc-${Number(userCode.slice(5))}`;
    if (fate === 'denied') this.fates.set(deviceCode, { kind: 'denied' });
    else if (fate === 'expired') this.fates.set(deviceCode, { kind: 'expired' });
    else {
      const accessToken = `gho_fake_${fate.login}_${deviceCode}`;
      this.users.set(accessToken, fate);
      this.fates.set(deviceCode, { kind: 'token', tokens: { accessToken } });
    }
  }

  async exchange(deviceCode: string): Promise<ExchangeResult> {
    this.fail();
    return this.fates.get(deviceCode) ?? { kind: 'pending' };
  }

  async refresh(): Promise<IssuedTokens> {
    this.fail();
    throw new GitHubOAuthError('rejected', 'GitHub refused to refresh a token: bad_refresh_token');
  }

  async revoke(accessToken: string): Promise<void> {
    this.fail();
    this.revoked.push(accessToken);
  }

  async user(accessToken: string): Promise<GitHubUser> {
    this.fail();
    const user = this.users.get(accessToken);
    if (!user)
      throw new GitHubOAuthError(
        'rejected',
        'GitHub refused to read the signed-in user: the token is no longer valid (401)',
      );
    return user;
  }

  private fail(): void {
    if (this.down) throw new GitHubOAuthError('unreachable', 'GitHub could not be reached (503)');
  }
}
