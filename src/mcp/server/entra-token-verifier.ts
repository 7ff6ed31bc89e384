/**
 * Checks the Entra ID (Azure AD) access token an MCP client sends as `Authorization: Bearer`: its
 * signature against Entra's published keys (a remote JWKS, fetched and cached by jose), its
 * audience (Reynolds's app), its expiry, its issuer (Entra for the token's own tenant) and that the
 * tenant is Reynolds's. The outcome says what failed, in words an MCP client's user can act on.
 * The check itself is the tab's (src/http/entra-token.ts); this file words its failures for MCP
 * clients (the tab's talk about getAuthToken), with RFC 6750's error codes.
 */
import {
  EntraTokenChecker,
  type EntraTokenFailure,
  type EntraTokenSettings,
} from '../../http/entra-token.js';
import type { McpCaller } from './mcp-caller.js';

export type TokenOutcome =
  | { ok: true; caller: McpCaller }
  | {
      ok: false;
      status: 401 | 403 | 503;
      error: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'temporarily_unavailable';
      message: string;
    };

export class EntraTokenVerifier {
  private readonly tokens: EntraTokenChecker;

  constructor(settings: EntraTokenSettings) {
    this.tokens = new EntraTokenChecker(settings);
  }

  async verify(authorization: string | undefined): Promise<TokenOutcome> {
    const checked = await this.tokens.check(authorization);
    if (!checked.ok) return refusal(checked, this.tokens.audiences);
    const { payload, tenantId } = checked;
    const oid = typeof payload.oid === 'string' ? payload.oid : String(payload.sub ?? '');
    const upn = [payload.preferred_username, payload.upn].find(
      (v): v is string => typeof v === 'string' && v.includes('@'),
    );
    const name =
      [payload.name, upn, payload.app_displayname, oid].find(
        (v): v is string => typeof v === 'string' && v.length > 0,
      ) ?? 'an Entra caller';
    const clientId = [payload.azp, payload.appid].find((v): v is string => typeof v === 'string');
    return { ok: true, caller: { tenantId, userId: oid, name, upn, clientId, via: 'entra' } };
  }
}

function invalid(error: 'invalid_request' | 'invalid_token', message: string): TokenOutcome {
  return { ok: false, status: 401, error, message };
}

/** What failed, in words an MCP client's user can act on; the error codes are RFC 6750's. */
function refusal(failure: EntraTokenFailure, audiences: readonly string[]): TokenOutcome {
  switch (failure.reason) {
    case 'missing':
      return invalid(
        'invalid_request',
        'Reynolds needs an Entra ID access token: send "Authorization: Bearer <token>" (MCP clients get one through the authorization server named in /.well-known/oauth-protected-resource).',
      );
    case 'malformed':
      // RFC 6750 §3.1: a malformed access token is an invalid_token (401), like an expired one.
      return invalid(
        'invalid_token',
        'The Authorization header must be "Bearer <JWT>", a three-part Entra ID access token.',
      );
    case 'expired':
      return invalid(
        'invalid_token',
        'The access token has expired; the MCP client should get a fresh one (sign in again).',
      );
    case 'wrong_audience':
      return invalid(
        'invalid_token',
        `The token is for another resource: its audience must be one of ${audiences.join(', ')} (ask for a token with that scope; MCP_AUDIENCE sets the list).`,
      );
    case 'bad_claim':
      return invalid(
        'invalid_token',
        `The token's "${failure.claim}" claim is not acceptable (${failure.why}); get a fresh token.`,
      );
    case 'bad_signature':
      return invalid(
        'invalid_token',
        'The token is not signed by a key Entra ID publishes; get the token from Entra ID, not elsewhere.',
      );
    case 'unreadable':
      return invalid(
        'invalid_token',
        `The token could not be read (${failure.code}); get a fresh one.`,
      );
    case 'wrong_issuer':
      return invalid(
        'invalid_token',
        `The token's issuer ${JSON.stringify(failure.issuer)} is not Entra ID for its tenant; get a token from https://login.microsoftonline.com/<tenant>/v2.0.`,
      );
    case 'wrong_tenant':
      return {
        ok: false,
        status: 403,
        error: 'insufficient_scope',
        message:
          'This Reynolds serves another Microsoft 365 tenant; sign in with an account of the tenant Reynolds is installed in.',
      };
    case 'keys_unavailable':
      return {
        ok: false,
        status: 503,
        error: 'temporarily_unavailable',
        message:
          'The keys that sign Entra tokens could not be fetched (MCP_JWKS_URL); try again shortly.',
      };
    case 'check_failed':
      return {
        ok: false,
        status: 503,
        error: 'temporarily_unavailable',
        message: 'The token could not be checked just now; try again shortly.',
      };
  }
}
