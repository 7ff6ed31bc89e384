/**
 * Checks the Entra ID (Azure AD) access token an MCP client sends as `Authorization: Bearer`: its
 * signature against Entra's published keys (a remote JWKS, fetched and cached by jose), its
 * audience (Reynolds's app), its expiry, its issuer (Entra for the token's own tenant) and that the
 * tenant is Reynolds's. The outcome says what failed, in words an MCP client's user can act on.
 * It is the tab's SSO check (src/http/tab-sso.ts) in substance; the tab's messages talk about
 * getAuthToken, these about MCP clients, hence a file of its own.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { McpCaller } from './mcp-caller.js';

export type TokenOutcome =
  | { ok: true; caller: McpCaller }
  | {
      ok: false;
      status: 401 | 403 | 503;
      error: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'temporarily_unavailable';
      message: string;
    };

export interface EntraTokenSettings {
  jwksUrl: string;
  audiences: readonly string[];
  /** Reynolds's tenant: the only one whose users and apps may call. */
  tenantId: string;
}

/** Clock skew between Entra and this host that is still accepted (as for tab tokens). */
const CLOCK_TOLERANCE_SECONDS = 60;

export class EntraTokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: EntraTokenSettings) {
    this.keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
    });
  }

  async verify(authorization: string | undefined): Promise<TokenOutcome> {
    if (!authorization)
      return invalid(
        'invalid_request',
        'Reynolds needs an Entra ID access token: send "Authorization: Bearer <token>" (MCP clients get one through the authorization server named in /.well-known/oauth-protected-resource).',
      );
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(
      authorization.trim(),
    );
    // RFC 6750 §3.1: a malformed access token is an invalid_token (401), like an expired one.
    if (!match)
      return invalid(
        'invalid_token',
        'The Authorization header must be "Bearer <JWT>", a three-part Entra ID access token.',
      );
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, this.keys, {
        audience: [...this.settings.audiences],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iss', 'tid'],
      }));
    } catch (error) {
      return explain(error, this.settings.audiences);
    }
    const tid = String(payload.tid);
    const issuers = [
      `https://login.microsoftonline.com/${tid}/v2.0`,
      `https://sts.windows.net/${tid}/`,
    ];
    if (!issuers.includes(String(payload.iss)))
      return invalid(
        'invalid_token',
        `The token's issuer ${JSON.stringify(payload.iss)} is not Entra ID for its tenant; get a token from https://login.microsoftonline.com/<tenant>/v2.0.`,
      );
    if (tid !== this.settings.tenantId)
      return {
        ok: false,
        status: 403,
        error: 'insufficient_scope',
        message:
          'This Reynolds serves another Microsoft 365 tenant; sign in with an account of the tenant Reynolds is installed in.',
      };
    const oid = typeof payload.oid === 'string' ? payload.oid : String(payload.sub ?? '');
    const upn = [payload.preferred_username, payload.upn].find(
      (v): v is string => typeof v === 'string' && v.includes('@'),
    );
    const name =
      [payload.name, upn, payload.app_displayname, oid].find(
        (v): v is string => typeof v === 'string' && v.length > 0,
      ) ?? 'an Entra caller';
    const clientId = [payload.azp, payload.appid].find((v): v is string => typeof v === 'string');
    return { ok: true, caller: { tenantId: tid, userId: oid, name, upn, clientId, via: 'entra' } };
  }
}

function invalid(error: 'invalid_request' | 'invalid_token', message: string): TokenOutcome {
  return { ok: false, status: 401, error, message };
}

function explain(error: unknown, audiences: readonly string[]): TokenOutcome {
  if (error instanceof errors.JWTExpired)
    return invalid(
      'invalid_token',
      'The access token has expired; the MCP client should get a fresh one (sign in again).',
    );
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud')
      return invalid(
        'invalid_token',
        `The token is for another resource: its audience must be one of ${audiences.join(', ')} (ask for a token with that scope; MCP_AUDIENCE sets the list).`,
      );
    return invalid(
      'invalid_token',
      `The token's "${error.claim}" claim is not acceptable (${error.reason}); get a fresh token.`,
    );
  }
  if (
    error instanceof errors.JWKSTimeout ||
    (error instanceof TypeError && /fetch/i.test(error.message))
  ) {
    return {
      ok: false,
      status: 503,
      error: 'temporarily_unavailable',
      message:
        'The keys that sign Entra tokens could not be fetched (MCP_JWKS_URL); try again shortly.',
    };
  }
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWSSignatureVerificationFailed
  )
    return invalid(
      'invalid_token',
      'The token is not signed by a key Entra ID publishes; get the token from Entra ID, not elsewhere.',
    );
  if (error instanceof errors.JOSEError)
    return invalid(
      'invalid_token',
      `The token could not be read (${error.code}); get a fresh one.`,
    );
  return {
    ok: false,
    status: 503,
    error: 'temporarily_unavailable',
    message: 'The token could not be checked just now; try again shortly.',
  };
}
