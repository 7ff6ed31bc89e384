/**
 * The audit of MCP tool calls: every call is one log line (tool, caller's Entra id and name,
 * arguments, outcome, duration) and one count in `reynolds_mcp_tool_calls_total{tool,outcome}`.
 * Not a store record per call: reads are most calls and change nothing, and the log is where
 * Reynolds's other requests are audited; what a write changes keeps its own trace (a subscription
 * records `createdBy: mcp:<caller>`), and the counter shows refusals and failures on /metrics.
 */
import type { Logger } from '../../log.js';
import type { McpCaller } from './mcp-caller.js';

export type McpCallOutcome = 'ok' | 'refused' | 'failed';

export interface McpCallRecord {
  tool: string;
  caller: McpCaller;
  args: unknown;
  outcome: McpCallOutcome;
  ms: number;
  detail?: string;
  error?: unknown;
}

/** Where the count goes (src/http/metrics.ts's registry, wired in composition). */
export interface McpCallCounter {
  inc(labels: { tool: string; outcome: McpCallOutcome }): void;
}

export class McpAudit {
  constructor(
    private readonly logger: Logger,
    private readonly counter?: McpCallCounter,
  ) {}

  record(call: McpCallRecord): void {
    this.counter?.inc({ tool: call.tool, outcome: call.outcome });
    const fields = {
      mcpTool: call.tool,
      caller: call.caller.userId,
      callerName: call.caller.name,
      clientId: call.caller.clientId,
      via: call.caller.via,
      args: call.args,
      outcome: call.outcome,
      ms: Math.round(call.ms),
    };
    if (call.outcome === 'failed')
      this.logger.error(
        { ...fields, err: call.error },
        `MCP ${call.tool} by ${call.caller.name} failed`,
      );
    else
      this.logger.info(
        { ...fields, detail: call.detail },
        `MCP ${call.tool} by ${call.caller.name}: ${call.outcome}`,
      );
  }
}
