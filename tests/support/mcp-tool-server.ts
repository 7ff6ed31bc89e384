/**
 * A small MCP server written with the SDK, on a random loopback port, for the chat's MCP client
 * to use: `echo` (read-only) and `file_ticket` (it writes: it records each ticket), and `slow` when
 * asked. It can be
 * stopped and started again on the same port, to play a server that goes down and comes back.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export interface McpToolServer {
  url: string;
  /** Every file_ticket call's arguments, in order. */
  tickets: { title: string; repo?: string }[];
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

export interface McpToolServerOptions {
  /** Adds `slow`, a read-only tool that answers after this many ms (for timeouts). */
  slowMs?: number;
}

function buildServer(tickets: McpToolServer['tickets'], options: McpToolServerOptions): McpServer {
  const server = new McpServer({ name: 'helpdesk', version: '1.0.0' });
  if (options.slowMs !== undefined) {
    const slowMs = options.slowMs;
    server.registerTool(
      'slow',
      { description: 'Answers late.', inputSchema: {}, annotations: { readOnlyHint: true } },
      async () => {
        await new Promise((resolve) => setTimeout(resolve, slowMs));
        return { content: [{ type: 'text', text: 'finally' }] };
      },
    );
  }
  server.registerTool(
    'echo',
    {
      description: 'Says the text back.',
      inputSchema: { text: z.string() },
      annotations: { readOnlyHint: true },
    },
    async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }),
  );
  server.registerTool(
    'file_ticket',
    {
      description: 'Files a helpdesk ticket.',
      inputSchema: { title: z.string().min(1), repo: z.string().optional() },
      annotations: { readOnlyHint: false, destructiveHint: false },
    },
    async ({ title, repo }) => {
      tickets.push({ title, ...(repo ? { repo } : {}) });
      return { content: [{ type: 'text', text: `ticket #${tickets.length} filed: ${title}` }] };
    },
  );
  return server;
}

export async function startMcpToolServer(
  options: McpToolServerOptions = {},
): Promise<McpToolServer> {
  const tickets: McpToolServer['tickets'] = [];
  let http: Server | undefined;
  let port = 0;
  const listen = async () => {
    http = createServer((req, res) => {
      const server = buildServer(tickets, options);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      res.on('close', () => void server.close());
      server
        .connect(transport)
        .then(() => transport.handleRequest(req, res))
        .catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => http!.listen(port, '127.0.0.1', resolve));
    port = (http.address() as AddressInfo).port;
  };
  await listen();
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    tickets,
    start: listen,
    stop: () =>
      new Promise<void>((resolve) => {
        if (!http) return resolve();
        http.closeAllConnections();
        http.close(() => resolve());
        http = undefined;
      }),
  };
}
