/**
 * Reynolds's connections to other MCP servers (MCP_SERVERS), for the chat: each is an SDK
 * `Client` over `StreamableHTTPClientTransport`, connected at start, its tools listed (and
 * filtered to the allowed ones), and tried again every `reconnectMs` while it is down. A server
 * that is down never throws at the chat: `status()` says so, and `call` answers why.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Logger } from '../../log.js';
import type { McpClientSettings, ExternalMcpServer } from './mcp-client-settings.js';
import { toolResultText } from './tool-result-text.js';

export interface ExternalTool {
  server: string;
  name: string;
  description: string;
  /** The tool's JSON Schema for its arguments, as the server listed it. */
  inputSchema: Record<string, unknown>;
  /**
   * Whether a call may change something. Only a tool the server marks `readOnlyHint: true` is
   * taken as a read; any other may write and is gated like a card action.
   */
  writes: boolean;
  /** Its name as a chat action (an OpenAI tool name): `<server>__<tool>`. */
  actionName: string;
}

export interface ServerStatus {
  name: string;
  state: 'connecting' | 'connected' | 'down';
  tools: number;
  /** Why it is down, in words. */
  error?: string;
}

export type ToolOutcome =
  { ok: true; text: string; isError: boolean } | { ok: false; reason: string };

interface Connection {
  settings: ExternalMcpServer;
  state: ServerStatus['state'];
  client?: Client;
  tools: ExternalTool[];
  error?: string;
}

export function actionNameOf(server: string, tool: string): string {
  return `${server}__${tool}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

export class McpConnections {
  private readonly connections: Connection[];
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly settings: McpClientSettings,
    private readonly deps: { logger: Logger; version: string },
  ) {
    this.connections = settings.servers.map((s) => ({
      settings: s,
      state: 'connecting',
      tools: [],
    }));
  }

  get maxCallsPerTurn(): number {
    return this.settings.maxCallsPerTurn;
  }

  /** Connects every server (in parallel, each bounded by timeoutMs); then keeps retrying the ones that are down. */
  async start(): Promise<void> {
    await Promise.all(this.connections.map((c) => this.connect(c)));
    if (this.connections.length > 0) {
      this.timer = setInterval(() => {
        for (const c of this.connections) if (c.state === 'down') void this.connect(c);
      }, this.settings.reconnectMs);
      this.timer.unref();
    }
  }

  status(): ServerStatus[] {
    return this.connections.map((c) => ({
      name: c.settings.name,
      state: c.state,
      tools: c.tools.length,
      ...(c.error ? { error: c.error } : {}),
    }));
  }

  tools(): ExternalTool[] {
    return this.connections.flatMap((c) => (c.state === 'connected' ? c.tools : []));
  }

  /** The tool by server and tool name, or why there is none. */
  find(
    server: string,
    tool: string,
  ): { ok: true; tool: ExternalTool } | { ok: false; reason: string } {
    const connection = this.connections.find(
      (c) => c.settings.name.toLowerCase() === server.toLowerCase(),
    );
    if (!connection)
      return {
        ok: false,
        reason:
          this.connections.length === 0
            ? 'No other MCP servers are configured here (MCP_SERVERS).'
            : `There is no MCP server "${server}" here; there is ${this.connections.map((c) => c.settings.name).join(', ')}.`,
      };
    if (connection.state !== 'connected') return { ok: false, reason: downLine(connection) };
    const found = connection.tools.find((t) => t.name === tool);
    if (!found)
      return {
        ok: false,
        reason: `${connection.settings.name} has no tool "${tool}" I may use; it offers ${connection.tools.map((t) => t.name).join(', ') || 'none'}.`,
      };
    return { ok: true, tool: found };
  }

  async call(tool: ExternalTool, args: Record<string, unknown>): Promise<ToolOutcome> {
    const connection = this.connections.find((c) => c.settings.name === tool.server);
    if (!connection?.client || connection.state !== 'connected')
      return {
        ok: false,
        reason: connection ? downLine(connection) : `There is no MCP server "${tool.server}".`,
      };
    try {
      const result = await connection.client.callTool(
        { name: tool.name, arguments: args },
        undefined,
        { timeout: this.settings.timeoutMs },
      );
      return {
        ok: true,
        text: toolResultText(result as Parameters<typeof toolResultText>[0]),
        isError: result.isError === true,
      };
    } catch (error) {
      const reason = describe(error, this.settings.timeoutMs);
      this.deps.logger.warn(
        { err: error, mcpServer: tool.server, mcpTool: tool.name },
        `MCP tool ${tool.server}.${tool.name} failed`,
      );
      // A timeout says nothing about the connection; anything else may mean the server went away.
      if (!/did not answer within/.test(reason)) this.markDown(connection, reason);
      return { ok: false, reason };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.connections.map((c) => c.client?.close().catch(() => undefined)));
  }

  private async connect(connection: Connection): Promise<void> {
    if (this.closed) return;
    const { settings } = connection;
    const client = new Client({ name: 'reynolds', version: this.deps.version });
    const transport = new StreamableHTTPClientTransport(new URL(settings.url), {
      requestInit: { headers: settings.headers },
    });
    try {
      await client.connect(transport, { timeout: this.settings.timeoutMs });
      const listed = await client.listTools(undefined, { timeout: this.settings.timeoutMs });
      const allowed = settings.tools ? new Set(settings.tools) : undefined;
      connection.tools = listed.tools
        .filter((t) => !allowed || allowed.has(t.name))
        .map((t) => ({
          server: settings.name,
          name: t.name,
          description: t.description ?? t.title ?? t.name,
          inputSchema: t.inputSchema as Record<string, unknown>,
          writes: t.annotations?.readOnlyHint !== true,
          actionName: actionNameOf(settings.name, t.name),
        }));
      await connection.client?.close().catch(() => undefined);
      connection.client = client;
      connection.state = 'connected';
      connection.error = undefined;
      this.deps.logger.info(
        { mcpServer: settings.name, tools: connection.tools.map((t) => t.name) },
        `MCP server ${settings.name} connected: ${connection.tools.length} tool(s)`,
      );
    } catch (error) {
      await client.close().catch(() => undefined);
      const wasUp = connection.state === 'connected';
      this.markDown(connection, describe(error, this.settings.timeoutMs));
      if (wasUp || connection.state === 'down')
        this.deps.logger.warn(
          { mcpServer: settings.name, reason: connection.error },
          `MCP server ${settings.name} is down; trying again every ${Math.round(this.settings.reconnectMs / 1000)} s`,
        );
    }
  }

  private markDown(connection: Connection, reason: string): void {
    connection.state = 'down';
    connection.error = reason;
    connection.tools = [];
  }
}

/**
 * Starts connecting the configured servers and returns at once: Reynolds does not wait for other
 * servers to start (one that hangs would hold it for the timeout). `ready` settles when each has
 * connected or failed once; until then `status()` says `connecting`.
 */
export function connectMcpServers(
  settings: McpClientSettings,
  deps: { logger: Logger; version: string },
): McpConnections & { ready: Promise<void> } {
  const connections = new McpConnections(settings, deps);
  return Object.assign(connections, { ready: connections.start() });
}

function downLine(connection: Connection): string {
  return `The MCP server ${connection.settings.name} is ${connection.state === 'connecting' ? 'still connecting' : `down (${connection.error ?? 'unreachable'})`}; I will keep trying it.`;
}

function describe(error: unknown, timeoutMs: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/timed? ?out|RequestTimeout|-32001/i.test(message))
    return `it did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`;
  if (
    /ECONNREFUSED|fetch failed|ENOTFOUND|EHOSTUNREACH|ECONNRESET/i.test(message) ||
    /ECONNREFUSED/.test(String((error as { cause?: unknown })?.cause))
  )
    return 'it cannot be reached';
  if (/\b401\b|\b403\b|unauthori[sz]ed|forbidden/i.test(message))
    return "it refused Reynolds's credentials (check its token or headers in MCP_SERVERS)";
  return message.length > 200 ? `${message.slice(0, 197)}...` : message;
}
