/**
 * Checks a Teams tab SSO token (the access token `authentication.getAuthToken` returns) with the
 * shared Entra token check (entra-token.ts: signature, audience, expiry, issuer, tenant), and says
 * which of these failed in words for the tab, so the tab API can answer 401 (not a valid token for
 * us), 403 (valid, but another tenant) or 503 (the keys could not be fetched).
 */
import {
  EntraTokenChecker,
  type EntraTokenFailure,
  type EntraTokenSettings,
} from './entra-token.js';

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

export type SsoSettings = EntraTokenSettings;

export class TabSsoVerifier {
  private readonly tokens: EntraTokenChecker;

  constructor(settings: SsoSettings) {
    this.tokens = new EntraTokenChecker(settings);
  }

  async verify(authorization: string | undefined): Promise<SsoOutcome> {
    const checked = await this.tokens.check(authorization);
    if (!checked.ok) return refusal(checked, this.tokens.audiences);
    const { payload, tenantId } = checked;
    const name =
      [payload.name, payload.preferred_username, payload.upn, payload.oid].find(
        (v): v is string => typeof v === 'string' && v.length > 0,
      ) ?? 'a Teams user';
    return {
      ok: true,
      caller: {
        tenantId,
        userId: typeof payload.oid === 'string' ? payload.oid : String(payload.sub ?? ''),
        name,
      },
    };
  }
}

function unauthorized(code: string, message: string): SsoOutcome {
  return { ok: false, status: 401, code, message };
}

/** What failed, in words for whoever runs the tab (its token comes from getAuthToken). */
function refusal(failure: EntraTokenFailure, audiences: readonly string[]): SsoOutcome {
  switch (failure.reason) {
    case 'missing':
      return unauthorized(
        'sso_required',
        'Send the Teams SSO token as "Authorization: Bearer <token>" (the tab gets it from authentication.getAuthToken).',
      );
    case 'malformed':
      return unauthorized(
        'malformed_token',
        'The Authorization header must be "Bearer <JWT>" with a three-part token from authentication.getAuthToken.',
      );
    case 'expired':
      return unauthorized(
        'token_expired',
        'The SSO token has expired; the tab gets a fresh one from authentication.getAuthToken (reload the tab).',
      );
    case 'wrong_audience':
      return unauthorized(
        'wrong_audience',
        `The token is not for this app: its audience must be one of ${audiences.join(', ')} (set TAB_SSO_AUDIENCE and the manifest's webApplicationInfo.resource to match).`,
      );
    case 'bad_claim':
      return unauthorized(
        'invalid_token',
        `The token's "${failure.claim}" claim is not acceptable (${failure.why}); get a fresh token from authentication.getAuthToken.`,
      );
    case 'bad_signature':
      return unauthorized(
        'bad_signature',
        'The token is not signed by a key Azure AD publishes; get a token from authentication.getAuthToken, not elsewhere.',
      );
    case 'unreadable':
      return unauthorized(
        'invalid_token',
        `The token could not be read (${failure.code}); get a fresh one from authentication.getAuthToken.`,
      );
    case 'wrong_issuer':
      return unauthorized(
        'wrong_issuer',
        `The token's issuer ${JSON.stringify(failure.issuer)} is not Azure AD for its tenant; get a fresh token from authentication.getAuthToken.`,
      );
    case 'wrong_tenant':
      return {
        ok: false,
        status: 403,
        code: 'wrong_tenant',
        message:
          'This Reynolds serves another Microsoft 365 tenant; ask your admin to install Reynolds in your own tenant.',
      };
    case 'keys_unavailable':
      return {
        ok: false,
        status: 503,
        code: 'sso_keys_unavailable',
        message:
          'The keys that sign Teams tokens could not be fetched (TAB_SSO_JWKS_URL); try again shortly.',
      };
    case 'check_failed':
      return {
        ok: false,
        status: 503,
        code: 'sso_check_failed',
        message: 'The SSO token could not be checked just now; try again shortly.',
      };
  }
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
