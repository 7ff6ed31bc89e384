/**
 * Checks a Teams tab SSO token (the access token `authentication.getAuthToken` returns): its
 * signature against Microsoft's published keys (a remote JWKS, fetched and cached by jose), its
 * audience (our app), its expiry, its issuer and its tenant. The outcome says which of these failed,
 * so the tab API can answer 401 (not a valid token for us) or 403 (valid, but another tenant).
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

export interface TabCaller {
  tenantId: string;
  /** Azure AD object id of the user. */
  userId: string;
  /** For audit lines such as a subscription's `createdBy`. */
  name: string;
}

export type SsoOutcome =
  | { ok: true; caller: TabCaller }
  | { ok: false; status: 401 | 403 | 503; code: string; message: string };

export interface SsoSettings {
  jwksUrl: string;
  audiences: readonly string[];
  /** The bot's tenant: the only one whose users may call. */
  tenantId: string;
}

/** Clock skew between Azure AD and this host that is still accepted. */
const CLOCK_TOLERANCE_SECONDS = 60;

export class TabSsoVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: SsoSettings) {
    this.keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
    });
  }

  async verify(authorization: string | undefined): Promise<SsoOutcome> {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(
      authorization?.trim() ?? '',
    );
    if (!authorization)
      return unauthorized(
        'sso_required',
        'Send the Teams SSO token as "Authorization: Bearer <token>" (the tab gets it from authentication.getAuthToken).',
      );
    if (!match)
      return unauthorized(
        'malformed_token',
        'The Authorization header must be "Bearer <JWT>" with a three-part token from authentication.getAuthToken.',
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
    if (!issuers.includes(String(payload.iss))) {
      return unauthorized(
        'wrong_issuer',
        `The token's issuer ${JSON.stringify(payload.iss)} is not Azure AD for its tenant; get a fresh token from authentication.getAuthToken.`,
      );
    }
    if (tid !== this.settings.tenantId) {
      return {
        ok: false,
        status: 403,
        code: 'wrong_tenant',
        message:
          'This Reynolds serves another Microsoft 365 tenant; ask your admin to install Reynolds in your own tenant.',
      };
    }
    const name =
      [payload.name, payload.preferred_username, payload.upn, payload.oid].find(
        (v): v is string => typeof v === 'string' && v.length > 0,
      ) ?? 'a Teams user';
    return {
      ok: true,
      caller: {
        tenantId: tid,
        userId: typeof payload.oid === 'string' ? payload.oid : String(payload.sub ?? ''),
        name,
      },
    };
  }
}

function unauthorized(code: string, message: string): SsoOutcome {
  return { ok: false, status: 401, code, message };
}

function explain(error: unknown, audiences: readonly string[]): SsoOutcome {
  if (error instanceof errors.JWTExpired)
    return unauthorized(
      'token_expired',
      'The SSO token has expired; the tab gets a fresh one from authentication.getAuthToken (reload the tab).',
    );
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud')
      return unauthorized(
        'wrong_audience',
        `The token is not for this app: its audience must be one of ${audiences.join(', ')} (set TAB_SSO_AUDIENCE and the manifest's webApplicationInfo.resource to match).`,
      );
    return unauthorized(
      'invalid_token',
      `The token's "${error.claim}" claim is not acceptable (${error.reason}); get a fresh token from authentication.getAuthToken.`,
    );
  }
  if (
    error instanceof errors.JWKSTimeout ||
    (error instanceof TypeError && /fetch/i.test(error.message))
  ) {
    return {
      ok: false,
      status: 503,
      code: 'sso_keys_unavailable',
      message:
        'The keys that sign Teams tokens could not be fetched (TAB_SSO_JWKS_URL); try again shortly.',
    };
  }
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWSSignatureVerificationFailed
  ) {
    return unauthorized(
      'bad_signature',
      'The token is not signed by a key Azure AD publishes; get a token from authentication.getAuthToken, not elsewhere.',
    );
  }
  if (error instanceof errors.JOSEError)
    return unauthorized(
      'invalid_token',
      `The token could not be read (${error.code}); get a fresh one from authentication.getAuthToken.`,
    );
  return {
    ok: false,
    status: 503,
    code: 'sso_check_failed',
    message: 'The SSO token could not be checked just now; try again shortly.',
  };
}

/** The accepted audiences: TAB_SSO_AUDIENCE, else the bot id and its api:// URI on the public host. */
export function ssoAudiences(
  botId: string,
  configured: string | undefined,
  publicBaseUrl: string | undefined,
): string[] {
  if (configured) return configured.split(',');
  const audiences = [botId, `api://botid-${botId}`];
  if (publicBaseUrl)
    audiences.push(
      `api://${new URL(publicBaseUrl).host}/${botId}`,
      `api://${new URL(publicBaseUrl).host}/botid-${botId}`,
    );
  return audiences;
}
