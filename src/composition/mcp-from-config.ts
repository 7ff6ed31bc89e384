/**
 * MCP from configuration: the /mcp server's settings (local mode or Entra tokens, the audiences and
 * scopes it accepts and advertises), the chat's MCP servers (MCP_SERVERS), and the counter the
 * MCP audit counts calls in. See docs/mcp.md.
 */
import { Counter, type Registry } from 'prom-client';
import type { Config } from '../config.js';
import { ssoAudiences } from '../http/tab-sso.js';
import type { McpClientSettings } from '../mcp/client/mcp-client-settings.js';
import type { McpCallCounter } from '../mcp/server/mcp-audit.js';
import { EntraTokenVerifier } from '../mcp/server/entra-token-verifier.js';
import type { McpEndpointSettings } from '../mcp/server/mount-mcp.js';

/** Reynolds's own version, as MCP clients see it in serverInfo. */
export const REYNOLDS_VERSION = '0.1.0';

/** Undefined when MCP_SERVER=off. */
export function mcpServerSettingsFrom(config: Config): McpEndpointSettings | undefined {
  if (config.MCP_SERVER === 'off') return undefined;
  const audiences = config.BOT_ID
    ? config.MCP_AUDIENCE
      ? config.MCP_AUDIENCE.split(',')
      : ssoAudiences(config.BOT_ID, config.TAB_SSO_AUDIENCE, config.PUBLIC_BASE_URL)
    : [];
  const appIdUri = audiences.find((a) => a.startsWith('api://'));
  const scopes = config.MCP_SCOPES
    ? config.MCP_SCOPES.split(',')
    : appIdUri
      ? [`${appIdUri}/access_as_user`]
      : [];
  return {
    localMode: config.localMode,
    tenantId: config.tenantId,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    tokens: config.BOT_ID
      ? new EntraTokenVerifier({
          jwksUrl: config.MCP_JWKS_URL,
          audiences,
          tenantId: config.tenantId,
        })
      : undefined,
    scopes,
    version: REYNOLDS_VERSION,
  };
}

export function mcpClientSettingsFrom(config: Config): McpClientSettings {
  return {
    servers: config.MCP_SERVERS.map((s) => ({
      name: s.name,
      url: s.url,
      headers: { ...s.headers, ...(s.token ? { authorization: `Bearer ${s.token}` } : {}) },
      tools: s.tools,
    })),
    timeoutMs: config.MCP_TOOL_TIMEOUT_MS,
    reconnectMs: config.MCP_RECONNECT_SECONDS * 1000,
    maxCallsPerTurn: config.MCP_MAX_TOOL_CALLS_PER_TURN,
  };
}

export function mcpCallCounter(registry: Registry): McpCallCounter {
  return new Counter({
    name: 'reynolds_mcp_tool_calls_total',
    help: 'Calls of the MCP tools at /mcp, by tool and outcome (ok, refused, failed).',
    labelNames: ['tool', 'outcome'],
    registers: [registry],
  });
}
