/**
 * MCP in both directions (docs/mcp.md): the chat's connections to other MCP servers (MCP_SERVERS),
 * opened in the background so start-up never waits on them, and Reynolds's own MCP server at /mcp,
 * whose tools run the same code as the chat actions and the tab API.
 */
import type restify from 'restify';
import { connectMcpServers, type McpConnections } from '../mcp/client/mcp-connections.js';
import { McpAudit } from '../mcp/server/mcp-audit.js';
import { mountMcp } from '../mcp/server/mount-mcp.js';
import type { IdentityBook } from '../teams/identity/identity-book.js';
import type { Foundation } from './foundation.js';
import {
  mcpCallCounter,
  mcpClientSettingsFrom,
  mcpServerSettingsFrom,
  REYNOLDS_VERSION,
} from './mcp-from-config.js';
import type { StartOptions } from './start-options.js';
import type { GitHubParts } from './wire-github.js';
import type { PipelineParts } from './wire-pipeline.js';

export type ChatMcp = McpConnections & { ready: Promise<void> };

/** The chat's MCP servers, connecting in the background (status says "connecting"); none configured: undefined. */
export function connectChatMcp(base: Foundation): ChatMcp | undefined {
  const { config, logger } = base;
  return config.MCP_SERVERS.length > 0
    ? connectMcpServers(mcpClientSettingsFrom(config), { logger, version: REYNOLDS_VERSION })
    : undefined;
}

/** Mounts /mcp (unless MCP_SERVER=off) on the server, before it listens. */
export function mcpRoutes(
  base: Foundation,
  parts: PipelineParts,
  github: GitHubParts,
  identity: IdentityBook,
  options: Pick<StartOptions, 'chat'>,
): (server: restify.Server) => void {
  const { config, clock, logger, store, metrics } = base;
  const { subscriptions, conversations, pool, pilot } = parts;
  return (server) => {
    const settings = mcpServerSettingsFrom(config);
    if (!settings) return;
    mountMcp(server, settings, {
      logger,
      store,
      subscriptions,
      conversations,
      identity,
      // The MCP tools run lookup and why_stopped, which read GitHub and the store, never `status`.
      chat: {
        store,
        clock,
        status: {
          status: async () => ({
            store: store.kind,
            ready: true,
            pending: 0,
            processing: 0,
            failed: 0,
          }),
        },
        subscriptions,
        reader: github.reader,
        pool,
        pilot,
        logger,
        ...options.chat,
      },
      pool: () => pool.snapshot(),
      pilot: pool.snapshot().pilot,
      audit: new McpAudit(logger, mcpCallCounter(metrics.registry)),
      orchestration: parts.orchestration.stage,
    });
  };
}
