/**
 * Reynolds's MCP server (/mcp) driven by the SDK's own client over real HTTP, in local mode, with
 * data recorded the way Reynolds records it: signed webhook deliveries (GitHub's own examples)
 * through the whole pipeline make the chains, a fake GitHub reader answers lookups.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { systemClock } from '../../src/core/clock.js';
import { IdentityBook } from '../../src/teams/identity/identity-book.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { FakeGitHubReader, pullOf } from '../support/chat-fakes.js';
import {
  eventually,
  postDelivery,
  startTestReynolds,
  type TestReynolds,
} from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

const CHANNEL = '19:mcp-builds@thread.tacv2';
const READ_TOOLS = [
  'lookup_item',
  'list_chains',
  'explain_chain',
  'list_conversations',
  'list_subscriptions',
  'pool_status',
  'recent_alerts',
  'dependencies',
  'train_status',
  'portfolio',
];
const WRITE_TOOLS = ['subscribe', 'unsubscribe'];

function rawPost(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

type ToolAnswer = {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, any>;
};

describe('MCP server (/mcp) with the SDK client, local mode', function () {
  this.timeout(60_000);
  let reynolds: TestReynolds;
  let client: Client;
  const sample = exampleOf('issue_comment', 'created').payload as any;
  const repo = sample.repository.full_name as string;
  const number = sample.issue.number as number;
  const github = new FakeGitHubReader();
  let brokenChainId = '';

  before(async function () {
    github.pulls.set(
      `${repo}#${number}`,
      pullOf(repo, number, {
        title: 'Make the loop stop',
        reviews: { approved: ['@hubot'], changesRequested: [], requested: ['@octocat'] },
      }),
    );
    reynolds = await startTestReynolds({}, { github });
    await new ConversationBook(reynolds.store, systemClock).remember(
      'local',
      {
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9',
        conversation: { id: CHANNEL, name: 'builds', conversationType: 'channel', isGroup: true },
        bot: { id: 'bot', name: 'Reynolds' },
      },
      { scope: 'channel', name: 'builds' },
    );
    // Two bots in ping-pong on the recorded issue: one broken chain.
    for (let i = 0; i < 5; i += 1) {
      const payload = structuredClone(sample);
      payload.sender = {
        ...payload.sender,
        login: i % 2 === 0 ? 'ping[bot]' : 'pong[bot]',
        type: 'Bot',
      };
      payload.comment = { ...payload.comment, body: `turn ${i}`, user: payload.sender };
      const result = await postDelivery(reynolds.url, { event: 'issue_comment', payload });
      assert.equal(result.status, 202);
      await eventually(
        async () =>
          (await reynolds.store.getDelivery(`hook-1001:${result.deliveryId}`))?.status === 'done',
        'processed',
      );
    }
    client = new Client({ name: 'reynolds-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${reynolds.url}/mcp`)));
  });
  after(async function () {
    await client?.close();
    await reynolds?.dispose();
  });

  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as ToolAnswer;
  const text = (answer: ToolAnswer) => answer.content.map((c) => c.text ?? '').join('\n');

  it('initialises as Reynolds and lists every tool with input and output schemas and truthful annotations', async function () {
    assert.equal(client.getServerVersion()?.name, 'reynolds');
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...READ_TOOLS, ...WRITE_TOOLS].sort());
    for (const tool of tools) {
      assert.equal(tool.inputSchema.type, 'object', tool.name);
      assert.equal(tool.outputSchema?.type, 'object', `${tool.name} has an outputSchema`);
      const readOnly = READ_TOOLS.includes(tool.name);
      assert.equal(tool.annotations?.readOnlyHint, readOnly, `${tool.name} readOnlyHint`);
      assert.equal(
        tool.annotations?.destructiveHint,
        tool.name === 'unsubscribe',
        `${tool.name} destructiveHint`,
      );
      assert.equal(tool.annotations?.idempotentHint, true, `${tool.name} idempotentHint`);
    }
    // Plain schemas: a $ref is something some clients (and model tool APIs) do not follow.
    assert.doesNotMatch(JSON.stringify(tools), /\$ref/);
    const subscribe = tools.find((t) => t.name === 'subscribe')!;
    assert.deepEqual((subscribe.inputSchema.required as string[]).sort(), [
      'conversationId',
      'repo',
    ]);
  });

  it('list_chains and explain_chain show the broken chain: verdict, signals, audit', async function () {
    const listed = await call('list_chains', { verdict: 'break', repo });
    assert.equal(listed.isError, undefined, text(listed));
    assert.equal(listed.structuredContent!.chains.length, 1);
    brokenChainId = listed.structuredContent!.chains[0].chainId;
    assert.match(text(listed), new RegExp(`${brokenChainId}: break`));

    const explained = await call('explain_chain', { chainId: brokenChainId });
    assert.equal(explained.structuredContent!.verdict, 'break');
    assert.equal(explained.structuredContent!.nodes.length, 5);
    assert.ok(
      explained.structuredContent!.signals.some((s: { name: string }) => s.name === 'ping_pong'),
    );
    assert.ok(
      explained.structuredContent!.audit.some((a: { what: string }) => a.what === 'admin_alert'),
    );
    assert.match(text(explained), new RegExp(`Chain ${brokenChainId} was stopped`));

    const missing = await call('explain_chain', { chainId: 'no-such-chain' });
    assert.equal(missing.isError, true);
    assert.match(text(missing), /no-such-chain/);
  });

  it('lookup_item reads the PR with its checks, reviewers and the chain that touched it', async function () {
    const found = await call('lookup_item', { reference: `${repo}#${number}` });
    assert.equal(found.isError, undefined, text(found));
    const item = found.structuredContent!;
    assert.equal(item.kind, 'pull');
    assert.equal(item.title, 'Make the loop stop');
    assert.deepEqual(item.reviewers.requested, ['@octocat']);
    assert.ok(item.chains.some((c: { chainId: string }) => c.chainId === brokenChainId));
    assert.match(text(found), /Make the loop stop/);

    const bad = await call('lookup_item', { reference: 'not a reference' });
    assert.equal(bad.isError, true);
    assert.match(text(bad), /owner\/repo#123/);
  });

  it('list_conversations, list_subscriptions, pool_status and recent_alerts answer from the store', async function () {
    const conversations = await call('list_conversations');
    assert.deepEqual(
      conversations.structuredContent!.conversations.map(
        (c: { conversationId: string }) => c.conversationId,
      ),
      [CHANNEL],
    );
    const subscriptions = await call('list_subscriptions', { conversationId: CHANNEL });
    assert.deepEqual(subscriptions.structuredContent, {
      conversationId: CHANNEL,
      conversationName: 'builds',
      subscriptions: [],
    });
    const unknown = await call('list_subscriptions', { conversationId: '19:nowhere' });
    assert.equal(unknown.isError, true);
    assert.match(text(unknown), /not in conversation/);
    const pool = await call('pool_status');
    assert.equal(pool.structuredContent!.configured, false);
    const alerts = await call('recent_alerts', { conversationId: CHANNEL });
    assert.equal(alerts.structuredContent!.conversationId, CHANNEL);
    assert.ok(Array.isArray(alerts.structuredContent!.pending));
  });

  it('dependencies, train_status and portfolio answer from the orchestration layer, as the chat does', async function () {
    // A recorded PR, on a train (its milestone), saying what it depends on in another repository.
    const pr = structuredClone(exampleOf('pull_request', 'opened').payload as any);
    const prRepo = (pr.repository.full_name as string).toLowerCase();
    pr.pull_request.body = 'Depends on acme/api#12 before this can ship.';
    pr.pull_request.milestone = {
      title: 'mcp-train',
      due_on: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      number: 1,
    };
    const posted = await postDelivery(reynolds.url, { event: 'pull_request', payload: pr });
    assert.equal(posted.status, 202);
    await eventually(
      async () =>
        (await reynolds.store.getDelivery(`hook-1001:${posted.deliveryId}`))?.status === 'done',
      'processed',
    );
    const item = `${prRepo}#${pr.pull_request.number}`;

    const deps = await call('dependencies', { item });
    assert.equal(deps.isError, undefined, text(deps));
    assert.deepEqual(deps.structuredContent!.waitsFor, [
      { item: 'acme/api#12', relation: 'depends_on', done: false },
    ]);
    assert.deepEqual(deps.structuredContent!.openBlockers, ['acme/api#12']);
    assert.match(text(deps), /waits for: acme\/api#12/);
    // lookup_item carries the same, for the PR it looks up.
    github.pulls.set(
      `${pr.repository.full_name}#${pr.pull_request.number}`,
      pullOf(pr.repository.full_name, pr.pull_request.number, { title: pr.pull_request.title }),
    );
    const looked = await call('lookup_item', {
      reference: `${pr.repository.full_name}#${pr.pull_request.number}`,
    });
    assert.equal(looked.isError, undefined, text(looked));
    assert.deepEqual(looked.structuredContent!.dependencies, {
      waitsFor: ['acme/api#12'],
      waitedBy: [],
    });
    const bad = await call('dependencies', { item: 'not an item' });
    assert.equal(bad.isError, true);
    assert.match(text(bad), /owner\/repo#N/);

    const train = await call('train_status', { train: 'mcp-train' });
    const line = train.structuredContent!.repositories.find(
      (r: { repo: string }) => r.repo.toLowerCase() === prRepo,
    );
    assert.ok(line, JSON.stringify(train.structuredContent));
    assert.equal(line.openPrs, 1);
    assert.equal(line.blocked, 1);
    assert.match(text(train), /train mcp-train/);

    const owner = prRepo.split('/')[0];
    const portfolio = await call('portfolio', { scope: `org:${owner}`, days: 7 });
    assert.equal(portfolio.isError, undefined, text(portfolio));
    assert.equal(portfolio.structuredContent!.prsOpened, 1);
    assert.match(text(portfolio), /PRs opened 1/);
    // A scope nothing was counted in (as in chat: a named set counts from its definition on).
    const empty = await call('portfolio', { scope: 'no-such-set', days: 30 });
    assert.deepEqual([empty.structuredContent!.days, empty.structuredContent!.prsOpened], [30, 0]);
    const badWindow = await call('portfolio', { scope: `org:${owner}`, days: 14 });
    assert.equal(badWindow.isError, true);
  });

  it('refuses subscribe to a caller the conversation has not allowed, and accepts it once allowed', async function () {
    const refused = await call('subscribe', {
      conversationId: CHANNEL,
      repo,
      features: ['issues'],
    });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /hasn't allowed you/);
    assert.deepEqual(
      (await call('list_subscriptions', { conversationId: CHANNEL })).structuredContent!
        .subscriptions,
      [],
    );

    // What `@Reynolds allow everyone` does in Teams.
    await new IdentityBook(reynolds.store, systemClock).allow('local', CHANNEL, {
      keys: ['*'],
      label: 'everyone',
      repos: [],
      addedBy: 'admin',
    });
    const done = await call('subscribe', {
      conversationId: CHANNEL,
      repo,
      features: ['issues'],
      filters: ['+label:bug'],
    });
    assert.equal(done.isError, undefined, text(done));
    assert.equal(done.structuredContent!.done, true);
    assert.deepEqual(
      done.structuredContent!.subscriptions.map((s: { command: string }) => s.command),
      [`subscribe ${repo} issues +label:bug`],
    );
    assert.equal(done.structuredContent!.subscriptions[0].createdBy, 'mcp:local MCP client');

    const badFilter = await call('subscribe', {
      conversationId: CHANNEL,
      repo,
      filters: ['+colour:red'],
    });
    assert.equal(badFilter.isError, true);
    const removed = await call('unsubscribe', { conversationId: CHANNEL, repo });
    assert.deepEqual(removed.structuredContent!.subscriptions, []);
  });

  it('serves a chain and a repository summary as resources', async function () {
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(), [
      'reynolds://chains/{chainId}',
      'reynolds://repos/{owner}/{repo}',
    ]);
    const { resources } = await client.listResources();
    assert.ok(resources.some((r) => r.uri === `reynolds://chains/${brokenChainId}`));
    const chain = await client.readResource({ uri: `reynolds://chains/${brokenChainId}` });
    assert.equal(
      JSON.parse(String((chain.contents[0] as { text: string }).text)).chain.verdict,
      'break',
    );
    const summary = JSON.parse(
      String(
        (
          (await client.readResource({ uri: `reynolds://repos/${repo}` })).contents[0] as {
            text: string;
          }
        ).text,
      ),
    );
    assert.equal(summary.verdicts.break, 1);
    await assert.rejects(
      client.readResource({ uri: 'reynolds://chains/no-such-chain' }),
      /No chain no-such-chain/,
    );
  });

  it('answers bad input with JSON-RPC errors or tool errors, never a 5xx', async function () {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${reynolds.url}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body,
      });
    const notJson = await post('{"jsonrpc": "2.0", "method": ');
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as { error: { code: number } }).error.code, -32700);
    const notRpc = await post('{"hello": "world"}');
    assert.equal(notRpc.status, 400);
    assert.ok(((await notRpc.json()) as { error?: unknown }).error);
    const unknownTool = await call('no_such_tool').catch((error: Error) => error);
    assert.match(
      String((unknownTool as Error).message ?? text(unknownTool as ToolAnswer)),
      /no_such_tool/,
    );
    const outOfRange = await call('list_chains', { limit: 999 }).catch(
      (error: Error) =>
        ({ isError: true, content: [{ type: 'text', text: error.message }] }) as ToolAnswer,
    );
    assert.equal(outOfRange.isError, true);
    assert.match(text(outOfRange), /limit/);
    const get = await fetch(`${reynolds.url}/mcp`, { headers: { accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });

  it('refuses a Host or Origin that is not this machine (DNS rebinding), and counts every call by tool and outcome', async function () {
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      },
    });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    // fetch sets Host itself; node:http sends the one a rebinding page's browser would.
    const evilHost = await rawPost(
      `${reynolds.url}/mcp`,
      { ...headers, host: `evil.example.com:${reynolds.port}` },
      init,
    );
    assert.equal(evilHost.status, 403);
    assert.match(JSON.parse(evilHost.body).error.message, /DNS rebinding/);
    const evilOrigin = await fetch(`${reynolds.url}/mcp`, {
      method: 'POST',
      headers: { ...headers, origin: 'http://evil.example.com' },
      body: init,
    });
    assert.equal(evilOrigin.status, 403);
    const localOrigin = await fetch(`${reynolds.url}/mcp`, {
      method: 'POST',
      headers: { ...headers, origin: 'http://localhost:5173' },
      body: init,
    });
    assert.equal(localOrigin.status, 200);

    const metrics = await (await fetch(`${reynolds.url}/metrics`)).text();
    assert.match(
      metrics,
      /reynolds_mcp_tool_calls_total\{tool="subscribe",outcome="refused"\} [1-9]/,
    );
    assert.match(metrics, /reynolds_mcp_tool_calls_total\{tool="list_chains",outcome="ok"\} [1-9]/);
  });
});
