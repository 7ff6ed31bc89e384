/**
 * The one check of an Entra ID (Azure AD) bearer token, shared by the tab's SSO (tab-sso.ts) and
 * the MCP server (src/mcp/server/entra-token-verifier.ts): the header's shape, the signature against
 * Entra's published keys (a remote JWKS, fetched and cached by jose), audience, expiry, issuer (Entra
 * for the token's own tenant) and the tenant Reynolds serves. It says *what* failed as a reason;
 * each caller words the answer for its own audience (a tab's getAuthToken, an MCP client).
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

export interface EntraTokenSettings {
  jwksUrl: string;
  audiences: readonly string[];
  /** The tenant Reynolds serves: the only one whose users and apps may call. */
  tenantId: string;
}

export type EntraTokenFailure =
  | { reason: 'missing' | 'malformed' | 'expired' | 'wrong_audience' | 'bad_signature' }
  | { reason: 'bad_claim'; claim: string; why: string }
  | { reason: 'unreadable'; code: string }
  | { reason: 'wrong_issuer'; issuer: unknown }
  | { reason: 'wrong_tenant' | 'keys_unavailable' | 'check_failed' };

export type EntraTokenCheck =
  { ok: true; payload: JWTPayload; tenantId: string } | ({ ok: false } & EntraTokenFailure);

/** Clock skew between Entra and this host that is still accepted. */
const CLOCK_TOLERANCE_SECONDS = 60;
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

export class EntraTokenChecker {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: EntraTokenSettings) {
    this.keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
    });
  }

  get audiences(): readonly string[] {
    return this.settings.audiences;
  }

  async check(authorization: string | undefined): Promise<EntraTokenCheck> {
    if (!authorization) return { ok: false, reason: 'missing' };
    const match = BEARER.exec(authorization.trim());
    if (!match) return { ok: false, reason: 'malformed' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, this.keys, {
        audience: [...this.settings.audiences],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iss', 'tid'],
      }));
    } catch (error) {
      return { ok: false, ...failureOf(error) };
    }
    const tid = String(payload.tid);
    const issuers = [
      `https://login.microsoftonline.com/${tid}/v2.0`,
      `https://sts.windows.net/${tid}/`,
    ];
    if (!issuers.includes(String(payload.iss)))
      return { ok: false, reason: 'wrong_issuer', issuer: payload.iss };
    if (tid !== this.settings.tenantId) return { ok: false, reason: 'wrong_tenant' };
    return { ok: true, payload, tenantId: tid };
  }
}

function failureOf(error: unknown): EntraTokenFailure {
  if (error instanceof errors.JWTExpired) return { reason: 'expired' };
  if (error instanceof errors.JWTClaimValidationFailed)
    return error.claim === 'aud'
      ? { reason: 'wrong_audience' }
      : { reason: 'bad_claim', claim: error.claim, why: error.reason };
  if (
    error instanceof errors.JWKSTimeout ||
    (error instanceof TypeError && /fetch/i.test(error.message))
  )
    return { reason: 'keys_unavailable' };
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWSSignatureVerificationFailed
  )
    return { reason: 'bad_signature' };
  if (error instanceof errors.JOSEError) return { reason: 'unreadable', code: error.code };
  return { reason: 'check_failed' };
}
