/**
 * A verified person link: this Teams user (Entra object id) signed in to GitHub as this GitHub
 * user (id and login), proven by GitHub's device flow. Holds no secret; the token lives beside it,
 * sealed (token-vault.ts).
 */
export interface PersonLink {
  tenantId: string;
  /** Entra object id, lower-case. */
  aadObjectId: string;
  /** GitHub's numeric user id: stable when the login is renamed. */
  githubId: number;
  login: string;
  /** When the device flow succeeded (ms since the epoch). */
  verifiedAt: number;
  /** When the access token stops working; absent for tokens that do not expire (OAuth Apps). */
  tokenExpiresAt?: number;
  /** When the refresh token stops working (GitHub App user tokens: about six months). */
  refreshTokenExpiresAt?: number;
}
