/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for /mcp, as the MCP authorization spec asks:
 * Reynolds is a resource server, and Microsoft Entra ID (the tenant Reynolds serves) is the
 * authorization server that issues its tokens. Served at the well-known path with the resource's
 * path appended (/.well-known/oauth-protected-resource/mcp) and at the bare path.
 */
import type restify from 'restify';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceSettings {
  tenantId: string;
  /** Scopes a client asks Entra for, e.g. api://<app id uri>/access_as_user. */
  scopes: readonly string[];
  /** PUBLIC_BASE_URL, or undefined: then the request's own host. */
  publicBaseUrl?: string;
}

export function baseUrlOf(req: restify.Request, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl) return publicBaseUrl.replace(/\/+$/, '');
  const proto =
    (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0]?.trim() ??
    (req.isSecure() ? 'https' : 'http');
  return `${proto}://${req.headers.host ?? 'localhost'}`;
}

export function entraAuthority(tenantId: string): string {
  return `https://login.microsoftonline.com/${tenantId}/v2.0`;
}

export function mountProtectedResource(
  server: restify.Server,
  settings: ProtectedResourceSettings,
): void {
  const answer = async (req: restify.Request, res: restify.Response) => {
    const base = baseUrlOf(req, settings.publicBaseUrl);
    res.send(
      200,
      {
        resource: `${base}/mcp`,
        authorization_servers: [entraAuthority(settings.tenantId)],
        scopes_supported: settings.scopes,
        bearer_methods_supported: ['header'],
        resource_name: 'Reynolds',
        resource_documentation: 'https://github.com/microsoft/reynolds/blob/main/docs/mcp.md',
      },
      { 'cache-control': 'public, max-age=3600' },
    );
  };
  server.get(METADATA_PATH, answer);
  server.get(`${METADATA_PATH}/mcp`, answer);
}
