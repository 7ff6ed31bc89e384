/**
 * Reynolds as an MCP server: POST /mcp speaks the Streamable HTTP transport (the SDK's
 * StreamableHTTPServerTransport), behind mcpAccess (loopback in local mode, Entra tokens
 * otherwise), with the protected-resource metadata outside local mode.
 *
 * Stateless: every POST gets a fresh McpServer and transport, no session id. Reynolds runs as
 * several replicas behind one address (STORE=cosmos), and an in-memory session would pin a client
 * to the replica that made it; every tool is one request and one answer, and Reynolds sends no
 * notifications of its own, so a session would buy nothing. For the same reason answers are JSON,
 * not an SSE stream, and GET (the server-to-client stream) and DELETE (ending a session) answer
 * 405 as the transport spec allows.
 *
 * The price, measured on the shared 2-core dev machine: a POST /mcp takes 10 ms at p50 over HTTP
 * (ping, tools/list and list_chains alike; /healthz: 0.6 ms), most of it building the McpServer
 * (about 2 ms for the SDK's constructor, 0.7 ms per registered tool). Agents call a few tools per
 * task, so this is not worth a pool of connected servers; if it ever is, that is where to look.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type restify from 'restify';
import type { Logger } from '../../log.js';
import { registerChainTools } from './chain-tools.js';
import type { EntraTokenVerifier } from './entra-token-verifier.js';
import { registerItemTools } from './item-tools.js';
import { jsonRpcError, mcpAccess, mcpCaller } from './mcp-access.js';
import type { McpCaller } from './mcp-caller.js';
import { METADATA_PATH, baseUrlOf, mountProtectedResource } from './protected-resource.js';
import { registerResources } from './reynolds-resources.js';
import { registerStatusTools } from './status-tools.js';
import { registerOrchestrationTools } from './orchestration-tools.js';
import { registerSubscriptionTools } from './subscription-tools.js';
import type { McpToolDeps } from './tool-kit.js';

/** Far above any tool call's arguments; the SDK's default is 4 MiB. */
const MAX_BODY_BYTES = 256 * 1024;

export interface McpEndpointSettings {
  localMode: boolean;
  tenantId: string;
  publicBaseUrl?: string;
  /** Outside local mode: checks the bearer tokens. */
  tokens?: EntraTokenVerifier;
  /** Advertised in the protected-resource metadata. */
  scopes: readonly string[];
  version: string;
}

export function buildMcpServer(caller: McpCaller, deps: McpToolDeps, version: string): McpServer {
  const server = new McpServer(
    { name: 'reynolds', title: 'Reynolds', version },
    {
      capabilities: { logging: {} },
      instructions:
        'Reynolds turns GitHub webhooks into Teams alerts and stops bot loops. Look up PRs and issues (lookup_item), read event chains and why they were stopped (list_chains, explain_chain), see and change what a Teams conversation follows (list_conversations, list_subscriptions, subscribe, unsubscribe), the model pool (pool_status), recent alerts (recent_alerts), and across repositories: dependencies, release trains (train_status) and portfolio health (portfolio).',
    },
  );
  const context = { caller, deps };
  registerItemTools(server, context);
  registerChainTools(server, context);
  registerSubscriptionTools(server, context);
  registerStatusTools(server, context);
  if (deps.orchestration) registerOrchestrationTools(server, context, deps.orchestration);
  registerResources(server, context);
  return server;
}

export function mountMcp(
  server: restify.Server,
  settings: McpEndpointSettings,
  deps: McpToolDeps & { logger: Logger },
): void {
  const access = mcpAccess({
    localMode: settings.localMode,
    tenantId: settings.tenantId,
    tokens: settings.tokens,
    resourceMetadataUrl: (req) => `${baseUrlOf(req, settings.publicBaseUrl)}${METADATA_PATH}/mcp`,
  });
  if (!settings.localMode)
    mountProtectedResource(server, {
      tenantId: settings.tenantId,
      scopes: settings.scopes,
      publicBaseUrl: settings.publicBaseUrl,
    });

  server.post('/mcp', access, async (req: restify.Request, res: restify.Response) => {
    const mcp = buildMcpServer(mcpCaller(req), deps, settings.version);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_BODY_BYTES,
    });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    try {
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
    } catch (error) {
      deps.logger.error({ err: error }, 'MCP request failed');
      if (!res.headersSent)
        res.send(500, jsonRpcError(-32603, 'Internal error; it has been logged.'));
    }
  });

  const notHere = async (req: restify.Request, res: restify.Response) => {
    res.send(
      405,
      jsonRpcError(
        -32000,
        `${req.method} /mcp is not served: Reynolds's MCP server is stateless (no sessions, no server-to-client stream); send JSON-RPC requests with POST.`,
      ),
      { allow: 'POST' },
    );
  };
  server.get('/mcp', access, notHere);
  server.del('/mcp', access, notHere);
}
