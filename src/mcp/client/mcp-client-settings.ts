/** The chat's MCP client settings: the other MCP servers it may use (MCP_SERVERS) and its limits; composition/mcp-from-config.ts reads them. */

/** One MCP server Reynolds's chat may use. */
export interface ExternalMcpServer {
  /** Short name, letters, digits and dashes: people write `use <name>.<tool>`. */
  name: string;
  /** Its Streamable HTTP endpoint. */
  url: string;
  /** Sent with every request (an `Authorization: Bearer` from `token`, API keys...). */
  headers: Record<string, string>;
  /** Only these tools are offered; undefined: all it lists. */
  tools?: readonly string[];
}

export interface McpClientSettings {
  servers: readonly ExternalMcpServer[];
  /** How long one tool call (and one connection attempt) may take. */
  timeoutMs: number;
  /** How often a server that is down is tried again. */
  reconnectMs: number;
  /** Tool calls one chat message may cause (a model that loops on tools stops here). */
  maxCallsPerTurn: number;
}
