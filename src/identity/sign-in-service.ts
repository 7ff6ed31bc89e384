/**
 * Verified GitHub sign-in for a Teams user: starts the device flow, polls for the token in the
 * background, reads who the token belongs to (`GET /user`), and keeps the link with the token
 * sealed. Hands out a person's token for acting as them (refreshing GitHub App user tokens before
 * they expire), and signs them out (revokes at GitHub, then forgets).
 *
 * No framework: GitHub is the GitHubOAuth port, time the Clock, waiting the Sleep port. Pending
 * flows live in this process only (a code is good for 15 minutes; after a restart, `sign in` again).
 */
import type { Clock } from '../core/clock.js';
import { pollForToken, type Sleep } from './device-flow-poll.js';
import {
  type DeviceCode,
  type GitHubOAuth,
  GitHubOAuthError,
  type IssuedTokens,
} from './github-oauth.js';
import type { PersonLink } from './person-link.js';
import type { PersonLinks } from './person-links.js';
import { type TokenSecret, type TokenVault, TokenVaultError } from './token-vault.js';

export type SignInOutcome =
  | { kind: 'signed_in'; link: PersonLink }
  | { kind: 'expired' }
  | { kind: 'denied' }
  /** A newer `sign in` (or shutdown) replaced this one. */
  | { kind: 'cancelled' }
  | { kind: 'unavailable'; reason: 'unreachable' | 'misconfigured' };

export interface StartedSignIn {
  code: DeviceCode;
  /** Settles (never rejects) when the person approved, denied, or the code ran out. */
  done: Promise<SignInOutcome>;
}

/** A person's token for acting as them, or why there is none. */
export type TokenLookup =
  | { kind: 'token'; token: string; link: PersonLink }
  | { kind: 'none' }
  /** The token expired or was revoked and could not be refreshed: the link is forgotten. */
  | { kind: 'expired'; login: string }
  /** The stored token does not open (the key changed): the link is forgotten. */
  | { kind: 'unreadable' }
  | { kind: 'unavailable' };

export type SignOutOutcome =
  | { kind: 'signed_out'; login: string }
  /** Forgotten here, but GitHub could not be told (down, or no client secret): revoke it there by hand. */
  | { kind: 'forgotten_only'; login: string }
  | { kind: 'not_signed_in' };

export interface SignInServiceOptions {
  oauth: GitHubOAuth;
  vault: TokenVault;
  links: PersonLinks;
  clock: Clock;
  sleep: Sleep;
  /** Refresh a token this long before it expires, so a write never starts with one about to lapse. */
  refreshMarginMs?: number;
}

const REFRESH_MARGIN_MS = 5 * 60_000;
const ownerOf = (tenantId: string, aadObjectId: string) =>
  `${tenantId}|${aadObjectId.toLowerCase()}`;

export class SignInService {
  private readonly pending = new Map<string, AbortController>();
  /** Refreshes in flight, by owner: GitHub retires a refresh token once used, so two at once would make the second fail. */
  private readonly refreshing = new Map<string, Promise<TokenLookup>>();

  constructor(private readonly o: SignInServiceOptions) {}

  /** Asks GitHub for a device code and polls in the background; throws GitHubOAuthError when GitHub cannot give a code. */
  async start(tenantId: string, aadObjectId: string): Promise<StartedSignIn> {
    const owner = ownerOf(tenantId, aadObjectId);
    const code = await this.o.oauth.requestDeviceCode();
    this.pending.get(owner)?.abort();
    const controller = new AbortController();
    this.pending.set(owner, controller);
    const done = this.finish(tenantId, aadObjectId, code, controller.signal).finally(() => {
      if (this.pending.get(owner) === controller) this.pending.delete(owner);
    });
    return { code, done };
  }

  /** The verified link of a Teams user, if they signed in. */
  async whoami(tenantId: string, aadObjectId: string): Promise<PersonLink | undefined> {
    return (await this.o.links.get(tenantId, aadObjectId))?.link;
  }

  /** The person's token, refreshed if it is about to expire (one refresh at a time per person in this process). */
  async tokenFor(tenantId: string, aadObjectId: string): Promise<TokenLookup> {
    const owner = ownerOf(tenantId, aadObjectId);
    const running = this.refreshing.get(owner);
    if (running) return running;
    const lookup = this.lookUp(tenantId, aadObjectId);
    this.refreshing.set(owner, lookup);
    try {
      return await lookup;
    } finally {
      this.refreshing.delete(owner);
    }
  }

  private async lookUp(tenantId: string, aadObjectId: string): Promise<TokenLookup> {
    const stored = await this.o.links.get(tenantId, aadObjectId);
    if (!stored) return { kind: 'none' };
    const owner = ownerOf(tenantId, aadObjectId);
    let secret: TokenSecret;
    try {
      secret = this.o.vault.open(stored.sealed, owner);
    } catch (error) {
      if (!(error instanceof TokenVaultError)) throw error;
      await this.o.links.remove(tenantId, aadObjectId);
      return { kind: 'unreadable' };
    }
    const { link } = stored;
    const now = this.o.clock.now();
    if (
      link.tokenExpiresAt === undefined ||
      link.tokenExpiresAt - (this.o.refreshMarginMs ?? REFRESH_MARGIN_MS) > now
    )
      return { kind: 'token', token: secret.accessToken, link };
    if (
      !secret.refreshToken ||
      (link.refreshTokenExpiresAt !== undefined && link.refreshTokenExpiresAt <= now)
    ) {
      await this.o.links.remove(tenantId, aadObjectId);
      return { kind: 'expired', login: link.login };
    }
    let tokens: IssuedTokens;
    try {
      tokens = await this.o.oauth.refresh(secret.refreshToken);
    } catch (error) {
      if (error instanceof GitHubOAuthError && error.kind === 'rejected') {
        // Another replica may have used the refresh token first and stored the new pair: use that.
        const latest = await this.o.links.get(tenantId, aadObjectId);
        if (
          latest &&
          latest.link.tokenExpiresAt !== undefined &&
          latest.link.tokenExpiresAt > link.tokenExpiresAt
        ) {
          try {
            return {
              kind: 'token',
              token: this.o.vault.open(latest.sealed, owner).accessToken,
              link: latest.link,
            };
          } catch {
            // falls through: forgotten below
          }
        }
        await this.o.links.remove(tenantId, aadObjectId);
        return { kind: 'expired', login: link.login };
      }
      // Still valid for a few minutes: use it rather than fail the write.
      if (link.tokenExpiresAt > now) return { kind: 'token', token: secret.accessToken, link };
      return { kind: 'unavailable' };
    }
    const refreshed: PersonLink = { ...link, ...expiries(tokens, now) };
    await this.o.links.save(refreshed, this.o.vault.seal(secretOf(tokens), owner));
    return { kind: 'token', token: tokens.accessToken, link: refreshed };
  }

  /** GitHub refused the person's token (401): it was revoked or expired there; forget it. */
  async forgetRejected(tenantId: string, aadObjectId: string): Promise<void> {
    await this.o.links.remove(tenantId, aadObjectId);
  }

  /** Revokes the token at GitHub, then forgets the link (even when GitHub could not be told). */
  async signOut(tenantId: string, aadObjectId: string): Promise<SignOutOutcome> {
    this.pending.get(ownerOf(tenantId, aadObjectId))?.abort();
    const stored = await this.o.links.get(tenantId, aadObjectId);
    if (!stored) return { kind: 'not_signed_in' };
    const login = stored.link.login;
    let revoked = true;
    try {
      await this.o.oauth.revoke(
        this.o.vault.open(stored.sealed, ownerOf(tenantId, aadObjectId)).accessToken,
      );
    } catch (error) {
      if (!(error instanceof GitHubOAuthError) && !(error instanceof TokenVaultError)) throw error;
      revoked = error instanceof GitHubOAuthError && error.kind === 'rejected'; // GitHub no longer honours it: as good as revoked
    }
    await this.o.links.remove(tenantId, aadObjectId);
    return revoked ? { kind: 'signed_out', login } : { kind: 'forgotten_only', login };
  }

  /** Stops every pending flow (shutdown). */
  stop(): void {
    for (const controller of this.pending.values()) controller.abort();
    this.pending.clear();
  }

  private async finish(
    tenantId: string,
    aadObjectId: string,
    code: DeviceCode,
    signal: AbortSignal,
  ): Promise<SignInOutcome> {
    try {
      const polled = await pollForToken(code, {
        oauth: this.o.oauth,
        clock: this.o.clock,
        sleep: this.o.sleep,
        signal,
      });
      if (polled.kind !== 'token') return polled;
      const user = await this.o.oauth.user(polled.tokens.accessToken);
      if (signal.aborted) return { kind: 'cancelled' };
      const link: PersonLink = {
        tenantId,
        aadObjectId: aadObjectId.toLowerCase(),
        githubId: user.id,
        login: user.login,
        verifiedAt: this.o.clock.now(),
        ...expiries(polled.tokens, this.o.clock.now()),
      };
      await this.o.links.save(
        link,
        this.o.vault.seal(secretOf(polled.tokens), ownerOf(tenantId, aadObjectId)),
      );
      return { kind: 'signed_in', link };
    } catch (error) {
      if (error instanceof GitHubOAuthError)
        return {
          kind: 'unavailable',
          reason: error.kind === 'misconfigured' ? 'misconfigured' : 'unreachable',
        };
      throw error;
    }
  }
}

function secretOf(tokens: IssuedTokens): TokenSecret {
  return {
    accessToken: tokens.accessToken,
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
  };
}

function expiries(
  tokens: IssuedTokens,
  now: number,
): Pick<PersonLink, 'tokenExpiresAt' | 'refreshTokenExpiresAt'> {
  return {
    ...(tokens.expiresInSeconds !== undefined && {
      tokenExpiresAt: now + tokens.expiresInSeconds * 1000,
    }),
    ...(tokens.refreshTokenExpiresInSeconds !== undefined && {
      refreshTokenExpiresAt: now + tokens.refreshTokenExpiresInSeconds * 1000,
    }),
  };
}
