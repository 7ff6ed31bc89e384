/**
 * The chat's MCP client (src/mcp/client/mcp-connections.ts) against a loopback server written with
 * the SDK: which tools it offers and which it takes as writes, the allow-list of tools, headers,
 * a timeout, a server that is down at start and comes up later, and closing.
 */
import assert from 'node:assert/strict';
import { connectMcpServers, type McpConnections } from '../../src/mcp/client/mcp-connections.js';
import { createLogger } from '../../src/log.js';
import { startMcpToolServer, type McpToolServer } from '../support/mcp-tool-server.js';
import { eventually } from '../support/reynolds.js';

const logger = createLogger({ level: 'silent', secretValues: [] });

describe('MCP client connections (chat side)', function () {
  this.timeout(20_000);
  let server: McpToolServer;
  const open: McpConnections[] = [];
  const connect = async (
    settings: Partial<Parameters<typeof connectMcpServers>[0]> & {
      servers: Parameters<typeof connectMcpServers>[0]['servers'];
    },
  ) => {
    const connections = connectMcpServers(
      { timeoutMs: 2_000, reconnectMs: 100, maxCallsPerTurn: 3, ...settings },
      { logger, version: 'test' },
    );
    open.push(connections);
    await connections.ready;
    return connections;
  };

  before(async function () {
    server = await startMcpToolServer({ slowMs: 1_500 });
  });
  after(async function () {
    await Promise.all(open.map((c) => c.close()));
    await server.stop();
  });

  it('lists the tools as actions, takes only readOnlyHint tools as reads, and calls them', async function () {
    const connections = await connect({
      servers: [{ name: 'helpdesk', url: server.url, headers: { authorization: 'Bearer t' } }],
    });
    assert.deepEqual(connections.status(), [{ name: 'helpdesk', state: 'connected', tools: 3 }]);
    assert.deepEqual(
      connections.tools().map((t) => [t.actionName, t.writes]),
      [
        ['helpdesk__slow', false],
        ['helpdesk__echo', false],
        ['helpdesk__file_ticket', true],
      ],
    );
    const echo = connections.find('helpdesk', 'echo');
    assert.ok(echo.ok);
    assert.deepEqual(await connections.call(echo.tool, { text: 'hi' }), {
      ok: true,
      text: 'echo: hi',
      isError: false,
    });
  });

  it('offers only the allowed tools when the settings name them', async function () {
    const connections = await connect({
      servers: [{ name: 'helpdesk', url: server.url, headers: {}, tools: ['echo'] }],
    });
    assert.deepEqual(
      connections.tools().map((t) => t.name),
      ['echo'],
    );
    const ticket = connections.find('helpdesk', 'file_ticket');
    assert.equal(ticket.ok, false);
    assert.match(
      (ticket as { reason: string }).reason,
      /has no tool "file_ticket" I may use; it offers echo/,
    );
  });

  it('gives up on a tool that does not answer in time, and the server stays connected', async function () {
    const connections = await connect({
      servers: [{ name: 'helpdesk', url: server.url, headers: {} }],
      timeoutMs: 300,
    });
    const slow = connections.find('helpdesk', 'slow');
    assert.ok(slow.ok);
    assert.deepEqual(await connections.call(slow.tool, {}), {
      ok: false,
      reason: 'it did not answer within 300 ms',
    });
    assert.equal(connections.status()[0]!.state, 'connected');
  });

  it('says a server is down when it cannot be reached at start, and connects once it is up', async function () {
    const late = await startMcpToolServer();
    const url = late.url;
    await late.stop();
    const connections = await connect({ servers: [{ name: 'late', url, headers: {} }] });
    assert.deepEqual(connections.status(), [
      { name: 'late', state: 'down', tools: 0, error: 'it cannot be reached' },
    ]);
    assert.match(
      (connections.find('late', 'echo') as { reason: string }).reason,
      /^The MCP server late is down \(it cannot be reached\)/,
    );
    await late.start();
    try {
      await eventually(
        () => connections.status()[0]!.state === 'connected',
        'the server to be reconnected',
        5_000,
      );
      assert.equal(connections.tools().length, 2);
    } finally {
      await late.stop();
    }
  });
});
