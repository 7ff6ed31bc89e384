/**
 * Other MCP servers' tools in Reynolds's chat, through the real Agents Playground: a loopback MCP
 * server written with the SDK (tests/support/mcp-tool-server.ts) is in MCP_SERVERS; the offline
 * planner reaches its tools with `use <server>.<tool> {json}`, the model-backed ActionPlanner (over
 * the OpenAI-compatible stand-in) is offered them as actions. Writes need the conversation's
 * permission; a server that goes down is said in the reply and in status, and comes back.
 * Run under `flock /tmp/playground.lock` (it starts the Playground).
 */
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import type { ChainSummary } from '../../src/core/chain-records.js';
import { IdentityBook } from '../../src/teams/identity/identity-book.js';
import { startMcpToolServer, type McpToolServer } from '../support/mcp-tool-server.js';
import {
  hasToolResult,
  lastUserText,
  startChatStandin,
  type ChatStandin,
} from '../support/openai-chat-standin.js';
import {
  botAnswered,
  startPlayground,
  type BotMessage,
  type Playground,
} from '../support/playground.js';
import { eventually, startTestReynolds, type TestReynolds } from '../support/reynolds.js';

describe('MCP tools in chat through the Agents Playground', function () {
  this.timeout(30_000);
  let tools: McpToolServer;
  let reynolds: TestReynolds;
  let playground: Playground;
  let standin: ChatStandin | undefined;

  const ask = async (
    text: string,
    what: string,
    predicate: (m: BotMessage) => boolean = () => true,
  ) => {
    const chat = playground.personalChatId;
    playground.clear();
    await playground.send(chat, text);
    await playground.waitForLog(
      botAnswered('message', chat),
      `Reynolds to finish the turn for "${text}"`,
    );
    return playground.waitFor((m) => m.conversationId === chat && predicate(m), what);
  };
  const start = async (env: Record<string, string> = {}) => {
    tools = await startMcpToolServer();
    reynolds = await startTestReynolds({
      MCP_SERVERS: JSON.stringify([{ name: 'helpdesk', url: tools.url, token: 'helpdesk-token' }]),
      MCP_RECONNECT_SECONDS: '1',
      ...env,
    });
    await reynolds.mcp!.ready;
    playground = await startPlayground({ botEndpoint: `${reynolds.url}/api/messages` });
  };
  const stop = async () => {
    await playground?.stop();
    await reynolds?.dispose();
    await tools?.stop();
  };

  describe('with the offline planner: use <server>.<tool> {json}', function () {
    before(async function () {
      this.timeout(60_000);
      await start();
    });
    after(stop);

    it('calls a read-only tool and puts its answer in the chat; status names the server', async function () {
      assert.equal(
        (await ask('use helpdesk.echo {"text": "hello from Teams"}', 'the tool answer')).text,
        '**helpdesk.echo**: echo: hello from Teams',
      );
      assert.match(
        (await ask('status', 'the status line', (m) => /Store:/.test(m.text ?? ''))).text ?? '',
        /MCP servers: helpdesk \(connected, 2 tools\)\./,
      );
    });

    it('says what is wrong with a bad call: unknown server or tool, arguments that are not a JSON object', async function () {
      assert.equal(
        (await ask('use nowhere.echo {}', 'the unknown-server line')).text,
        'There is no MCP server "nowhere" here; there is helpdesk.',
      );
      assert.equal(
        (await ask('use helpdesk.launch {}', 'the unknown-tool line')).text,
        'helpdesk has no tool "launch" I may use; it offers echo, file_ticket.',
      );
      assert.match(
        (await ask('use helpdesk.echo {"text": ', 'the bad-JSON line')).text ?? '',
        /must be one JSON object/,
      );
      const invalid = await ask('use helpdesk.echo {"words": 3}', 'the tool error');
      assert.match(invalid.text ?? '', /^\*\*helpdesk\.echo\*\* answered with an error: .*text/s);
    });

    it('refuses a tool that writes until the conversation allows the user; then runs it once, through the write guard', async function () {
      const refused = await ask(
        'use helpdesk.file_ticket {"title": "printer on fire", "repo": "acme/app"}',
        'the refusal',
      );
      assert.match(
        refused.text ?? '',
        /^Not done: This conversation hasn't allowed you to use helpdesk\.file_ticket/,
      );
      assert.deepEqual(tools.tickets, [], 'the server saw no call');

      const user = playground.config.currentUser;
      await new IdentityBook(reynolds.store, systemClock).allow(
        'local',
        playground.personalChatId,
        {
          keys: [`aad:${user.aadObjectId.toLowerCase()}`],
          label: user.name,
          repos: ['acme/app'],
          addedBy: 'admin',
        },
      );
      const done = await ask(
        'use helpdesk.file_ticket {"title": "printer on fire", "repo": "acme/app"}',
        'the ticket',
      );
      assert.equal(done.text, '**helpdesk.file_ticket**: ticket #1 filed: printer on fire');
      assert.deepEqual(tools.tickets, [{ title: 'printer on fire', repo: 'acme/app' }]);
      // The act is on the chain the message started, with its audit entry.
      const chains = await reynolds.store.queryRecords<ChainSummary>({
        kind: 'chain',
        tenantId: 'local',
        partition: 'local',
        limit: 50,
      });
      const chain = chains
        .map((c) => c.data)
        .find((c) => c.chainId.startsWith('chat-') && c.nodes === 2);
      assert.ok(chain, 'a chat chain with the message and the act');
      const audit = await reynolds.store.queryRecords<{ what: string; detail: string }>({
        kind: 'audit',
        tenantId: 'local',
        partition: chain.chainId,
        limit: 10,
      });
      assert.ok(
        audit.some(
          (a) => a.data.what === 'act' && /call helpdesk\.file_ticket/.test(a.data.detail),
        ),
        JSON.stringify(audit.map((a) => a.data)),
      );

      const outside = await ask(
        'use helpdesk.file_ticket {"title": "elsewhere", "repo": "other/repo"}',
        'the refusal for another repo',
      );
      assert.match(outside.text ?? '', /allows you to change only acme\/app, not other\/repo/);
      assert.equal(tools.tickets.length, 1);
    });

    it('a server that is down is said in the reply and in status, never a crash; it is used again once back', async function () {
      await tools.stop();
      assert.equal(
        (await ask('use helpdesk.echo {"text": "anyone?"}', 'the down line')).text,
        'I could not use helpdesk.echo: it cannot be reached',
      );
      assert.match(
        (await ask('use helpdesk.echo {"text": "still?"}', 'the down line again')).text ?? '',
        /^The MCP server helpdesk is down \(it cannot be reached\); I will keep trying it\.$/,
      );
      assert.match(
        (await ask('status', 'the status line', (m) => /Store:/.test(m.text ?? ''))).text ?? '',
        /MCP servers: helpdesk \(down: it cannot be reached\)\./,
      );

      await tools.start();
      await eventually(
        () => reynolds.mcp!.status()[0]!.state === 'connected',
        'helpdesk to be reconnected',
        10_000,
      );
      assert.equal(
        (await ask('use helpdesk.echo {"text": "back"}', 'the tool answer')).text,
        '**helpdesk.echo**: echo: back',
      );
    });
  });

  describe('with a model configured (ActionPlanner over the OpenAI-compatible stand-in)', function () {
    before(async function () {
      this.timeout(60_000);
      standin = await startChatStandin();
      await start({
        CHAT_MODEL_ENDPOINT: standin.url,
        CHAT_MODEL: 'gpt-standin',
        CHAT_MODEL_API_KEY: 'standin-key',
        MCP_MAX_TOOL_CALLS_PER_TURN: '2',
      });
    });
    after(async function () {
      await stop();
      await standin?.close();
    });

    it('offers the MCP tools beside the built-in actions; the model calls one, the answer reaches the chat and the model', async function () {
      standin!.brain = (body) => {
        if (hasToolResult(body)) return { say: 'The helpdesk says hi back.' };
        return /helpdesk/.test(lastUserText(body))
          ? { call: 'helpdesk__echo', arguments: { text: 'from the model' } }
          : { say: 'Ask the helpdesk.' };
      };
      const before = standin!.requests.length;
      await ask(
        'ask the helpdesk to echo something',
        'the model follow-up',
        (m) => m.text === 'The helpdesk says hi back.',
      );
      assert.deepEqual(
        playground.messages.map((m) => m.text),
        ['**helpdesk.echo**: echo: from the model', 'The helpdesk says hi back.'],
      );
      const [first, second] = standin!.requests.slice(before);
      const offered = first!.tools!.map((t) => t.function.name);
      assert.ok(
        offered.includes('lookup') &&
          offered.includes('helpdesk__echo') &&
          offered.includes('helpdesk__file_ticket'),
        offered.join(', '),
      );
      assert.match(
        first!.tools!.find((t) => t.function.name === 'helpdesk__file_ticket')!.function
          .description ?? '',
        /may change things/,
      );
      assert.equal(second!.messages.at(-1)!.role, 'tool');
      assert.match(String(second!.messages.at(-1)!.content), /echo: from the model/);
    });

    it('stops a model that keeps calling tools at the cap per message', async function () {
      let calls = 0;
      standin!.brain = () => {
        calls += 1;
        return { call: 'helpdesk__echo', arguments: { text: `again ${calls}` } };
      };
      await ask('echo forever', 'the cap line', (m) => /my limit/.test(m.text ?? ''));
      assert.deepEqual(
        playground.messages.map((m) => m.text),
        [
          '**helpdesk.echo**: echo: again 1',
          '**helpdesk.echo**: echo: again 2',
          'That is 2 tool calls for one message, my limit; ask again for more.',
        ],
      );
    });

    it('a server that is down gets a clear answer through the model too', async function () {
      await tools.stop();
      standin!.brain = (body) =>
        hasToolResult(body)
          ? { say: 'The helpdesk is unreachable right now.' }
          : { call: 'helpdesk__echo', arguments: { text: 'hello?' } };
      await ask(
        'ask the helpdesk',
        'the model follow-up',
        (m) => m.text === 'The helpdesk is unreachable right now.',
      );
      assert.deepEqual(
        playground.messages.map((m) => m.text),
        [
          'I could not use helpdesk.echo: it cannot be reached',
          'The helpdesk is unreachable right now.',
        ],
      );
    });
  });
});
