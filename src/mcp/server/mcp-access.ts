/**
 * Who may call /mcp. In local mode (no BOT_ID) this machine only: the connection must come from
 * loopback, and the Host and Origin headers must name localhost, so a web page that rebinds its
 * DNS name to 127.0.0.1 cannot reach the server through a browser (the SDK's own allowedHosts
 * options are deprecated in favour of a check like this one). Outside local mode the MCP
 * authorization spec: an Entra ID bearer token, checked by EntraTokenVerifier, and a 401 with
 * `WWW-Authenticate: Bearer resource_metadata="..."` pointing at the protected-resource metadata
 * (protected-resource.ts) when it is missing or not acceptable.
 */
import type restify from 'restify';
import { isLoopback } from '../../http/teams-route.js';
import type { EntraTokenVerifier } from './entra-token-verifier.js';
import { LOCAL_USER_ID, type McpCaller } from './mcp-caller.js';

const CALLER = Symbol('mcp caller');
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface McpAccessSettings {
  localMode: boolean;
  tenantId: string;
  /** Required outside local mode. */
  tokens?: EntraTokenVerifier;
  /** Where the protected-resource metadata is (for WWW-Authenticate), given the request. */
  resourceMetadataUrl: (req: restify.Request) => string;
}

/** A JSON-RPC error body: MCP clients show `error.message` to their user. */
export function jsonRpcError(
  code: number,
  message: string,
): { jsonrpc: '2.0'; error: { code: number; message: string }; id: null } {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

export function mcpAccess(settings: McpAccessSettings): restify.RequestHandler {
  return (req, res, next) => {
    if (settings.localMode) {
      const problem = localProblem(req);
      if (problem) {
        res.send(403, jsonRpcError(-32001, problem));
        return next(false);
      }
      (req as unknown as Record<symbol, McpCaller>)[CALLER] = {
        tenantId: settings.tenantId,
        userId: LOCAL_USER_ID,
        name: 'local MCP client',
        via: 'local',
      };
      return next();
    }
    const challenge = (error: string | undefined, message: string) =>
      `Bearer resource_metadata="${settings.resourceMetadataUrl(req)}"${error ? `, error="${error}", error_description="${message.replace(/["\\]/g, "'")}"` : ''}`;
    if (!settings.tokens) {
      res.send(
        401,
        jsonRpcError(
          -32001,
          'The MCP server needs an Entra ID token, and its validation is not configured on this server.',
        ),
        { 'www-authenticate': challenge(undefined, '') },
      );
      return next(false);
    }
    settings.tokens.verify(req.headers.authorization).then(
      (outcome) => {
        if (!outcome.ok) {
          // RFC 6750 §3.1: a request without credentials gets the bare challenge, no error code.
          const error = req.headers.authorization ? outcome.error : undefined;
          const headers: Record<string, string> =
            outcome.status === 503
              ? { 'retry-after': '5' }
              : { 'www-authenticate': challenge(error, outcome.message) };
          res.send(outcome.status, jsonRpcError(-32001, outcome.message), headers);
          return next(false);
        }
        (req as unknown as Record<symbol, McpCaller>)[CALLER] = outcome.caller;
        return next();
      },
      (error: unknown) => next(error as Error),
    );
  };
}

/** The caller mcpAccess let through (the route runs after it). */
export function mcpCaller(req: restify.Request): McpCaller {
  const caller = (req as unknown as Record<symbol, McpCaller | undefined>)[CALLER];
  if (!caller) throw new Error('mcpCaller used on a route without mcpAccess');
  return caller;
}

function localProblem(req: restify.Request): string | undefined {
  if (!isLoopback(req.socket.remoteAddress))
    return 'Local mode (no BOT_ID) serves MCP to this machine only.';
  const host = hostnameOf(req.headers.host);
  if (host === undefined || !LOCAL_HOSTS.has(host))
    return `Host ${JSON.stringify(req.headers.host ?? '')} is not this machine: in local mode call http://localhost:<port>/mcp or http://127.0.0.1:<port>/mcp (protection against DNS rebinding).`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).hostname;
    } catch {
      originHost = undefined;
    }
    if (originHost === undefined || !LOCAL_HOSTS.has(originHost))
      return `Origin ${JSON.stringify(origin)} is not this machine: in local mode only pages on localhost may call MCP (protection against DNS rebinding).`;
  }
  if (origin === 'null')
    return 'Origin "null" (a sandboxed page or a file) may not call MCP in local mode (protection against DNS rebinding).';
  return undefined;
}

function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}
